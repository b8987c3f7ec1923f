package io.switchboard.persistence.operators;

/** What an operator may do; each role may do everything the ones before it may. */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  public boolean allows(Role needed) {
    return compareTo(needed) >= 0;
  }
}
