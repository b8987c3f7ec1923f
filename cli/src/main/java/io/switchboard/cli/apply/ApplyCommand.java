package io.switchboard.cli.apply;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.switchboard.cli.client.CliException;
import io.switchboard.cli.commands.Cli;
import io.switchboard.cli.output.Table;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code switchboard apply -f fleet.yaml}: makes the server hold what a fleet file declares, so a
 * Git repository can be the source of truth and CI can apply it. It creates and updates, deletes
 * only with {@code --prune}, and run again changes nothing.
 */
@Command(
    name = "apply",
    mixinStandardHelpOptions = true,
    description = {
      "Makes the server hold the configurations, assignments and webhooks a fleet file declares:",
      "creates what is missing, publishes a configuration's files when they changed, updates",
      "assignments (a new version is a rollout) and webhooks. Deletes nothing unless --prune.",
      "See docs/cli.md for the file's format."
    })
public final class ApplyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = {"-f", "--file"},
      required = true,
      paramLabel = "FILE",
      description = "The fleet file (YAML); file paths in it are relative to it.")
  Path file;

  @Option(names = "--dry-run", description = "Only say what would change.")
  boolean dryRun;

  @Option(
      names = "--prune",
      description = "Also delete assignments and webhooks the file does not declare.")
  boolean prune;

  @Option(
      names = "--commit",
      paramLabel = "COMMIT",
      description = "The file's commit, recorded with every version this publishes.")
  String commit;

  @Override
  public Integer call() {
    Cli cli = Cli.of(spec);
    FleetFile fleet = FleetFile.read(file, cli.json());
    List<Change> plan = FleetPlan.of(fleet, cli.api(), cli.json(), cli.env(), prune, commit);
    List<String> notes = new ArrayList<>();
    if (!dryRun) {
      for (Change change : plan) {
        if (!change.changes()) {
          notes.add(null);
          continue;
        }
        try {
          notes.add(change.execute().get());
        } catch (CliException e) {
          long made = plan.subList(0, notes.size()).stream().filter(Change::changes).count();
          cli.output()
              .note(
                  "stopped at "
                      + change.kind()
                      + " "
                      + change.name()
                      + ": the "
                      + made
                      + " changes listed before it were made");
          report(cli, plan.subList(0, notes.size()), notes);
          throw e;
        }
      }
    }
    report(cli, plan, notes);
    return 0;
  }

  private void report(Cli cli, List<Change> plan, List<String> notes) {
    long changing = plan.stream().filter(Change::changes).count();
    if (cli.output().json()) {
      ObjectNode result = cli.json().createObjectNode().put("dry_run", dryRun);
      ArrayNode changes = result.putArray("changes");
      for (int i = 0; i < plan.size(); i++) {
        Change change = plan.get(i);
        ObjectNode one =
            changes
                .addObject()
                .put("action", change.action().name().toLowerCase(Locale.ROOT))
                .put("kind", change.kind())
                .put("name", change.name())
                .put("detail", change.detail());
        if (i < notes.size() && notes.get(i) != null) {
          one.put("note", notes.get(i));
        }
      }
      cli.output().printJson(result);
      return;
    }
    Table table = new Table("ACTION", "KIND", "NAME", "DETAIL");
    for (int i = 0; i < plan.size(); i++) {
      Change change = plan.get(i);
      String note = i < notes.size() ? notes.get(i) : null;
      table.row(
          change.action().name().toLowerCase(Locale.ROOT),
          change.kind(),
          change.name(),
          note == null ? change.detail() : change.detail() + "; " + note);
    }
    table.print(cli.output().out());
    cli.output()
        .out()
        .println(
            dryRun
                ? changing + " to change (dry run: nothing was changed)"
                : changing + " changed, " + (plan.size() - changing) + " unchanged");
    cli.output().out().flush();
  }
}
