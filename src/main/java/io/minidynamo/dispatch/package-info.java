/**
 * Thread pools for Pekko dispatchers: {@link io.minidynamo.dispatch.LocalFirstPool}, in which an
 * actor's message to another actor of the same dispatcher runs on the sending thread instead of
 * waking a parked one. Opt-in ({@code pekko.actor.default-dispatcher.executor}); not the default,
 * see docs/benchmarks.md (session 16).
 */
package io.minidynamo.dispatch;
