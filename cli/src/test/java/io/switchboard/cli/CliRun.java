package io.switchboard.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;

/** One {@code switchboard} command line run in the test's JVM, with what it printed. */
record CliRun(int code, String out, String err) {

  static CliRun run(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(env, new PrintWriter(out, true), new PrintWriter(err, true), args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** The environment of a user whose home holds no config file, pointed at {@code server}. */
  static Map<String, String> env(String home, String server) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home);
    if (server != null) {
      env.put("SWITCHBOARD_SERVER", server);
    }
    return env;
  }

  @Override
  public String toString() {
    return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
  }
}
