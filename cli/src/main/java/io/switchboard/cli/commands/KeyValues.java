package io.switchboard.cli.commands;

import io.switchboard.cli.client.CliException;
import io.switchboard.cli.client.ExitCode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code key=value} arguments, as labels and selectors are given on the command line. */
final class KeyValues {

  private KeyValues() {}

  static Map<String, String> parse(List<String> pairs, String what) {
    Map<String, String> map = new LinkedHashMap<>();
    if (pairs == null) {
      return map;
    }
    for (String pair : pairs) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new CliException(ExitCode.USAGE, what + " must be key=value, not " + pair);
      }
      map.put(pair.substring(0, equals), pair.substring(equals + 1));
    }
    return map;
  }
}
