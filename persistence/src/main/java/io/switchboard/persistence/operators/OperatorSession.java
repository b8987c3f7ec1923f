package io.switchboard.persistence.operators;

/** A signed-in operator: who, with which role, and the CSRF token their changes must carry. */
public record OperatorSession(String username, Role role, String csrfToken) {}
