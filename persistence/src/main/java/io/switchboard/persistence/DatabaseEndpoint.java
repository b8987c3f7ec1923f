package io.switchboard.persistence;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a PostgreSQL database is and how to log in. {@code options} are the URL's query parameters
 * (sslmode, ...), passed through to both the JDBC driver and the R2DBC driver.
 */
public record DatabaseEndpoint(
    String host, int port, String database, String user, String password, Map<String, String> options) {

  private static final int DEFAULT_PORT = 5432;

  public DatabaseEndpoint {
    options = Map.copyOf(options);
  }

  /**
   * Parses {@code postgresql://[user[:password]@]host[:port]/database[?key=value&...]}, also with an
   * {@code r2dbc:} or {@code jdbc:} prefix. A non-blank {@code user} or {@code password} overrides
   * the URL's.
   */
  public static DatabaseEndpoint parse(String url, String user, String password) {
    String plain = url.strip().replaceFirst("^(r2dbc|jdbc):", "");
    URI uri;
    try {
      uri = URI.create(plain);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("database URL is not a valid URI: " + redact(url), e);
    }
    if (!"postgresql".equals(uri.getScheme()) || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "database URL must look like postgresql://host:port/database, got " + redact(url));
    }
    String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (database.isEmpty()) {
      throw new IllegalArgumentException("database URL names no database: " + redact(url));
    }
    String urlUser = "";
    String urlPassword = "";
    if (uri.getRawUserInfo() != null) {
      String[] userInfo = uri.getRawUserInfo().split(":", 2);
      urlUser = decode(userInfo[0]);
      urlPassword = userInfo.length > 1 ? decode(userInfo[1]) : "";
    }
    return new DatabaseEndpoint(
        uri.getHost(),
        uri.getPort() < 0 ? DEFAULT_PORT : uri.getPort(),
        database,
        user.isBlank() ? urlUser : user,
        password.isBlank() ? urlPassword : password,
        query(uri.getRawQuery()));
  }

  /** The JDBC URL (credentials are passed separately). */
  public String jdbcUrl() {
    StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/').append(database);
    char separator = '?';
    for (Map.Entry<String, String> option : options.entrySet()) {
      url.append(separator).append(option.getKey()).append('=').append(option.getValue());
      separator = '&';
    }
    return url.toString();
  }

  @Override
  public String toString() {
    return "postgresql://" + user + "@" + host + ":" + port + "/" + database;
  }

  private static Map<String, String> query(String rawQuery) {
    Map<String, String> options = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return options;
    }
    for (String pair : rawQuery.split("&")) {
      String[] keyValue = pair.split("=", 2);
      options.put(decode(keyValue[0]), keyValue.length > 1 ? decode(keyValue[1]) : "");
    }
    return options;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }

  /** The URL without its password, for error messages. */
  private static String redact(String url) {
    return url.replaceAll("://([^:@/]*):[^@/]*@", "://$1:***@");
  }
}
