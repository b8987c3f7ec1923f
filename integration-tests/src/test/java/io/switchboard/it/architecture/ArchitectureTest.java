package io.switchboard.it.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The module rules, checked on every production class of the node: they fail the build when code
 * lands where it does not belong.
 */
class ArchitectureTest {

  private static final JavaClasses PRODUCTION =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .importPackages("io.switchboard");

  /** SQL, connection pools and migrations live in persistence; everything else asks its stores. */
  private static final ArchRule ONLY_PERSISTENCE_TALKS_SQL =
      noClasses()
          .that()
          .resideOutsideOfPackages("io.switchboard.persistence..", "io.switchboard.testkit..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.r2dbc..", "java.sql..", "org.postgresql..", "org.flywaydb..", "io.zonky..")
          .because("only persistence talks to PostgreSQL (issue 20)");

  /**
   * The operator API reaches agents only through dispatch (commands, agent records) and the stores'
   * queries: never an agent's entity or session directly.
   */
  private static final ArchRule API_REACHES_AGENTS_THROUGH_DISPATCH =
      noClasses()
          .that()
          .resideInAPackage("io.switchboard.api..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("io.switchboard.cluster..", "io.switchboard.gateway..")
          .because("operators' actions reach agents through the dispatch and query interfaces");

  /** The OpAMP wire contract and its helpers stand alone, beneath everything. */
  private static final ArchRule PROTOCOL_DEPENDS_ON_NOTHING_OF_OURS =
      noClasses()
          .that()
          .resideInAPackage("io.switchboard.opamp..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(
              "io.switchboard.persistence..",
              "io.switchboard.cluster..",
              "io.switchboard.dispatch..",
              "io.switchboard.gateway..",
              "io.switchboard.api..",
              "io.switchboard.node..");

  /** The CLI knows the node only through its HTTP API, as any other client would. */
  private static final ArchRule CLI_TALKS_HTTP_ONLY =
      noClasses()
          .that()
          .resideInAPackage("io.switchboard.cli..")
          .should()
          .dependOnClassesThat()
          .resideOutsideOfPackages(
              "io.switchboard.cli..", "java..", "javax..", "picocli..", "com.fasterxml.jackson..")
          .because("the CLI depends on the REST API alone, so it works against any node");

  /** No package of ours depends, however indirectly, on one that depends on it. */
  private static final ArchRule NO_CYCLES_BETWEEN_PACKAGES =
      slices().matching("io.switchboard.(**)").should().beFreeOfCycles();

  @Test
  void onlyPersistenceTalksSql() {
    ONLY_PERSISTENCE_TALKS_SQL.check(PRODUCTION);
  }

  @Test
  void operatorApiReachesAgentsThroughDispatch() {
    API_REACHES_AGENTS_THROUGH_DISPATCH.check(PRODUCTION);
  }

  @Test
  void protocolDependsOnNothingOfOurs() {
    PROTOCOL_DEPENDS_ON_NOTHING_OF_OURS.check(PRODUCTION);
  }

  @Test
  void cliTalksHttpOnly() {
    CLI_TALKS_HTTP_ONLY.check(PRODUCTION);
  }

  @Test
  void noCyclesBetweenPackages() {
    NO_CYCLES_BETWEEN_PACKAGES.check(PRODUCTION);
  }
}
