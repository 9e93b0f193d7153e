/**
 * Dispatcher executors: {@link io.minidynamo.dispatch.StickyExecutorConfigurator} runs a Pekko
 * dispatcher on a pool that keeps a chain of actor hops on one thread.
 */
package io.minidynamo.dispatch;
