/**
 * Operator commands on their way to agents: durable dispatch envelopes (config pushes, restarts,
 * custom messages) delivered through the agent's entity to the node that holds its session, and
 * closed by the agent's next status. The module sits between the agent entity ({@code cluster})
 * and the operator API, and fills in with the dispatch issue; it holds no code yet.
 */
package io.switchboard.dispatch;
