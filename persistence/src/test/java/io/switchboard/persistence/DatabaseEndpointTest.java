package io.switchboard.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DatabaseEndpointTest {

  @Test
  void parsesAFullUrlWithOptions() {
    DatabaseEndpoint endpoint =
        DatabaseEndpoint.parse(
            "postgresql://fleet:s%40cret@db.internal:6432/switchboard?sslmode=require", "", "");

    assertEquals(
        DatabaseEndpoint.of(
            "db.internal", 6432, "switchboard", "fleet", "s@cret", Map.of("sslmode", "require")),
        endpoint);
    assertEquals(
        "jdbc:postgresql://db.internal:6432/switchboard?sslmode=require&prepareThreshold=0",
        endpoint.jdbcUrl());
  }

  @Test
  void acceptsR2dbcAndJdbcPrefixesAndDefaultsThePort() {
    assertEquals(5432, DatabaseEndpoint.parse("r2dbc:postgresql://db/fleet", "", "").port());
    assertEquals(
        "fleet", DatabaseEndpoint.parse("jdbc:postgresql://db:5433/fleet", "", "").database());
  }

  @Test
  void explicitCredentialsWinOverTheUrls() {
    DatabaseEndpoint endpoint =
        DatabaseEndpoint.parse("postgresql://a:b@db/fleet", "operator", "secret");

    assertEquals("operator", endpoint.user());
    assertEquals("secret", endpoint.password());
  }

  @Test
  void refusesMalformedUrlsWithoutShowingThePassword() {
    IllegalArgumentException wrongScheme =
        assertThrows(
            IllegalArgumentException.class,
            () -> DatabaseEndpoint.parse("mysql://u:hunter2@db/x", "", ""));
    assertTrue(wrongScheme.getMessage().contains("postgresql://host:port/database"));
    assertThrows(
        IllegalArgumentException.class,
        () -> DatabaseEndpoint.parse("postgresql://a,,b/x", "", ""));
    assertFalse(wrongScheme.getMessage().contains("hunter2"));

    assertThrows(
        IllegalArgumentException.class, () -> DatabaseEndpoint.parse("postgresql://db", "", ""));
    assertThrows(
        IllegalArgumentException.class,
        () -> DatabaseEndpoint.parse("postgresql://db:port/x y", "", ""));
  }

  @Test
  void severalHostsAreTriedForThePrimary() {
    DatabaseEndpoint endpoint =
        DatabaseEndpoint.parse("postgresql://u:p@db-a:5433,db-b/fleet?sslmode=verify-full", "", "");

    assertEquals(
        List.of(new DatabaseEndpoint.Host("db-a", 5433), new DatabaseEndpoint.Host("db-b", 5432)),
        endpoint.hosts());
    assertEquals("primary", endpoint.targetServerType());
    assertEquals(
        "jdbc:postgresql://db-a:5433,db-b:5432/fleet?sslmode=verify-full&targetServerType=primary&prepareThreshold=0",
        endpoint.jdbcUrl());
    assertEquals(
        "any",
        DatabaseEndpoint.parse("postgresql://a,b/fleet?targetServerType=any", "", "")
            .targetServerType());
  }

  @Test
  void toStringNeverShowsThePassword() {
    assertFalse(
        DatabaseEndpoint.parse("postgresql://u:hunter2@db/x", "", "")
            .toString()
            .contains("hunter2"));
  }
}
