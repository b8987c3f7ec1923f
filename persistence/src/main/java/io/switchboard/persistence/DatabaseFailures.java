package io.switchboard.persistence;

import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.io.IOException;
import java.util.concurrent.TimeoutException;

/** Tells a database that cannot be reached from a statement that failed for what it asked. */
public final class DatabaseFailures {

  private DatabaseFailures() {}

  /**
   * Whether the failure means the database is unreachable or overwhelmed (worth retrying later): no
   * connection, a connection lost, the pool's wait or a statement timing out, the server shutting
   * down or out of resources (SQLSTATE classes 08, 53, 57P).
   */
  public static boolean unavailable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof R2dbcTransientResourceException
          || cause instanceof R2dbcNonTransientResourceException
          || cause instanceof TimeoutException
          || cause instanceof IOException
          || cause.getClass().getName().endsWith("PoolAcquireTimeoutException")) {
        return true;
      }
      if (cause instanceof R2dbcException sql && sql.getSqlState() != null) {
        String state = sql.getSqlState();
        if (state.startsWith("08") || state.startsWith("53") || state.startsWith("57P")) {
          return true;
        }
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return false;
  }
}
