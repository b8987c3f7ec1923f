package io.switchboard.persistence.status;

/** Whether an agent holds a session right now. */
public enum ConnectionState {
  CONNECTED,
  DISCONNECTED
}
