/** HTTP: the client API, the internal inspection endpoint and the debug endpoints, and their server. */
package io.minidynamo.http;
