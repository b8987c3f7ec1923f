package io.switchboard.persistence;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Where a PostgreSQL database is and how to log in. With several hosts, connections go to the one
 * that matches {@code targetServerType} (default {@code primary}), so after a failover they follow
 * the new primary. {@code options} are the URL's query parameters (sslmode, targetServerType, ...),
 * passed to both the JDBC and the R2DBC driver.
 */
public record DatabaseEndpoint(
    List<Host> hosts, String database, String user, String password, Map<String, String> options) {

  /** One server: its name and port. */
  public record Host(String name, int port) {
    @Override
    public String toString() {
      return name + ":" + port;
    }
  }

  static final String TARGET_SERVER_TYPE = "targetServerType";
  private static final int DEFAULT_PORT = 5432;

  public DatabaseEndpoint {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a database endpoint needs at least one host");
    }
    hosts = List.copyOf(hosts);
    options = Map.copyOf(options);
  }

  /** A single-host endpoint. */
  public static DatabaseEndpoint of(
      String host,
      int port,
      String database,
      String user,
      String password,
      Map<String, String> options) {
    return new DatabaseEndpoint(List.of(new Host(host, port)), database, user, password, options);
  }

  /**
   * Parses {@code
   * postgresql://[user[:password]@]host[:port][,host[:port]...]/database[?key=value&...]}, also
   * with an {@code r2dbc:} or {@code jdbc:} prefix. A non-blank {@code user} or {@code password}
   * overrides the URL's.
   */
  public static DatabaseEndpoint parse(String url, String user, String password) {
    String plain = url.strip().replaceFirst("^(r2dbc|jdbc):", "");
    if (!plain.startsWith("postgresql://")) {
      throw malformed(url, "it must look like postgresql://host:port/database");
    }
    String rest = plain.substring("postgresql://".length());
    int slash = rest.indexOf('/');
    if (slash < 0) {
      throw malformed(url, "it names no database");
    }
    String authority = rest.substring(0, slash);
    String pathAndQuery = rest.substring(slash + 1);
    int question = pathAndQuery.indexOf('?');
    String database = decode(question < 0 ? pathAndQuery : pathAndQuery.substring(0, question));
    if (database.isEmpty() || database.contains("/")) {
      throw malformed(url, "it names no database");
    }

    String urlUser = "";
    String urlPassword = "";
    int at = authority.lastIndexOf('@');
    if (at >= 0) {
      String[] userInfo = authority.substring(0, at).split(":", 2);
      urlUser = decode(userInfo[0]);
      urlPassword = userInfo.length > 1 ? decode(userInfo[1]) : "";
      authority = authority.substring(at + 1);
    }
    List<Host> hosts = new ArrayList<>();
    for (String host : authority.split(",")) {
      hosts.add(host(host, url));
    }
    return new DatabaseEndpoint(
        hosts,
        database,
        user.isBlank() ? urlUser : user,
        password.isBlank() ? urlPassword : password,
        query(question < 0 ? "" : pathAndQuery.substring(question + 1)));
  }

  /** The first host (the only one, usually). */
  public String host() {
    return hosts.get(0).name();
  }

  public int port() {
    return hosts.get(0).port();
  }

  /** Which server of several to use: the URL's {@code targetServerType}, else {@code primary}. */
  public String targetServerType() {
    return options.getOrDefault(TARGET_SERVER_TYPE, "primary");
  }

  /**
   * The JDBC URL (credentials are passed separately). Like the R2DBC pool, JDBC keeps no named
   * server-side statements ({@code prepareThreshold=0}), so a pooler in transaction mode can sit in
   * between.
   */
  public String jdbcUrl() {
    Map<String, String> jdbcOptions = new LinkedHashMap<>(options);
    if (hosts.size() > 1) {
      jdbcOptions.putIfAbsent(TARGET_SERVER_TYPE, targetServerType());
    }
    jdbcOptions.putIfAbsent("prepareThreshold", "0");
    String query =
        jdbcOptions.entrySet().stream()
            .map(option -> option.getKey() + "=" + option.getValue())
            .collect(Collectors.joining("&"));
    return "jdbc:postgresql://"
        + hostList()
        + "/"
        + database
        + (query.isEmpty() ? "" : "?" + query);
  }

  @Override
  public String toString() {
    return "postgresql://" + user + "@" + hostList() + "/" + database;
  }

  private String hostList() {
    return hosts.stream().map(Host::toString).collect(Collectors.joining(","));
  }

  private static Host host(String text, String url) {
    if (text.isBlank()) {
      throw malformed(url, "a host is empty");
    }
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      return new Host(text, DEFAULT_PORT);
    }
    try {
      return new Host(text.substring(0, colon), Integer.parseInt(text.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw malformed(url, "'" + text.substring(colon + 1) + "' is not a port");
    }
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> options = new LinkedHashMap<>();
    if (rawQuery.isEmpty()) {
      return options;
    }
    for (String pair : rawQuery.split("&")) {
      String[] keyValue = pair.split("=", 2);
      options.put(decode(keyValue[0]), keyValue.length > 1 ? decode(keyValue[1]) : "");
    }
    return options;
  }

  private static IllegalArgumentException malformed(String url, String why) {
    return new IllegalArgumentException("database URL " + redact(url) + " is not usable: " + why);
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  /** The URL without its password, for error messages. */
  private static String redact(String url) {
    return url.replaceAll("://([^:@/]*):[^@/]*@", "://$1:***@");
  }
}
