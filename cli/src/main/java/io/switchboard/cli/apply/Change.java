package io.switchboard.cli.apply;

import java.util.function.Supplier;

/**
 * One thing {@code apply} changes on the server, or with {@code --dry-run} would change. {@code
 * execute} makes the change and answers a note for the operator (a generated secret), or null.
 */
record Change(Action action, String kind, String name, String detail, Supplier<String> execute) {

  enum Action {
    CREATE,
    PUBLISH,
    UPDATE,
    DELETE,
    UNCHANGED
  }

  static Change unchanged(String kind, String name, String detail) {
    return new Change(Action.UNCHANGED, kind, name, detail, () -> null);
  }

  boolean changes() {
    return action != Action.UNCHANGED;
  }
}
