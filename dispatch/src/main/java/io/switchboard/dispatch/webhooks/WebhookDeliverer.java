package io.switchboard.dispatch.webhooks;

import io.switchboard.observability.FleetSignalMetrics;
import io.switchboard.persistence.webhooks.WebhookStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.slf4j.Logger;

/**
 * Delivers webhook events from the outbox, as a cluster singleton: every tick it claims due
 * deliveries (at most {@code per-endpoint-concurrency} under way per endpoint, counted in the
 * database), posts each signed, and records the attempt: delivered on a 2xx, otherwise tried again
 * after a doubling backoff until {@code max-attempts}. Posts are asynchronous with a timeout, so a
 * dead endpoint holds only its own few claims. Every {@code agent-check-interval} it also queues
 * agent events (one query) and deletes old finished deliveries. A delivery may be posted twice if
 * the singleton moves mid-attempt: receivers dedupe on {@code X-Switchboard-Delivery}.
 */
public final class WebhookDeliverer {

  public sealed interface Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum CheckAgents implements Command {
    INSTANCE
  }

  private record Claimed(List<WebhookStore.Claimed> deliveries, Throwable failure)
      implements Command {}

  private WebhookDeliverer() {}

  public static ActorRef<Command> init(
      ActorSystem<?> system, WebhookStore store, WebhookSettings settings) {
    return ClusterSingleton.get(system)
        .init(SingletonActor.of(create(store, settings, Clock.systemUTC()), "webhook-deliverer"));
  }

  public static Behavior<Command> create(
      WebhookStore store, WebhookSettings settings, Clock clock) {
    HttpClient client =
        HttpClient.newBuilder()
            .connectTimeout(settings.timeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.tick());
                  timers.startTimerWithFixedDelay(
                      CheckAgents.INSTANCE, settings.agentCheckInterval());
                  Delivering delivering =
                      new Delivering(store, settings, client, clock, context.getLog());
                  return Behaviors.receive(Command.class)
                      .onMessageEquals(Tick.INSTANCE, () -> claim(context, store, settings))
                      .onMessageEquals(
                          CheckAgents.INSTANCE, () -> checkAgents(context, store, settings))
                      .onMessage(
                          Claimed.class,
                          claimed -> {
                            if (claimed.failure() != null) {
                              context
                                  .getLog()
                                  .warn(
                                      "Claiming webhook deliveries failed, retrying at the next"
                                          + " tick: {}",
                                      claimed.failure().toString());
                            } else {
                              claimed.deliveries().forEach(delivering::attempt);
                            }
                            return Behaviors.same();
                          })
                      .build();
                }));
  }

  private static Behavior<Command> claim(
      ActorContext<Command> context, WebhookStore store, WebhookSettings settings) {
    // The claim outlasts the attempt's timeout, so that an attempt under way is not claimed again.
    Duration lease = settings.timeout().plusSeconds(5);
    context.pipeToSelf(store.claim(lease, settings.perEndpoint(), settings.batch()), Claimed::new);
    return Behaviors.same();
  }

  private static Behavior<Command> checkAgents(
      ActorContext<Command> context, WebhookStore store, WebhookSettings settings) {
    Logger log = context.getLog();
    store
        .enqueueAgentEvents(settings.agentEventWindow(), settings.agentEventsPerCheck())
        .thenCompose(
            queued -> {
              FleetSignalMetrics.webhookAgentEventsQueued().increment(queued);
              return store.purgeFinished(settings.retention());
            })
        .whenComplete(
            (purged, failure) -> {
              if (failure != null) {
                log.warn("Checking agents for webhook events failed: {}", failure.toString());
              }
            });
    return Behaviors.same();
  }

  /** One attempt per claimed delivery, recorded when it ends. */
  private record Delivering(
      WebhookStore store, WebhookSettings settings, HttpClient client, Clock clock, Logger log) {

    void attempt(WebhookStore.Claimed delivery) {
      long started = System.nanoTime();
      post(delivery)
          .handle(
              (response, failure) -> {
                FleetSignalMetrics.webhookAttemptDuration().record(System.nanoTime() - started);
                return failure != null
                    ? record(delivery, null, describe(failure))
                    : record(
                        delivery,
                        response.statusCode(),
                        response.statusCode() / 100 == 2
                            ? null
                            : "the endpoint answered " + response.statusCode());
              })
          .thenCompose(recorded -> recorded)
          .whenComplete(
              (done, failure) -> {
                if (failure != null) {
                  log.warn(
                      "Recording webhook delivery {} failed; it is tried again once its claim"
                          + " lapses: {}",
                      delivery.id(),
                      failure.toString());
                }
              });
    }

    private CompletionStage<HttpResponse<Void>> post(WebhookStore.Claimed delivery) {
      long now = clock.instant().getEpochSecond();
      HttpRequest request =
          HttpRequest.newBuilder(URI.create(delivery.url()))
              .timeout(settings.timeout())
              .header("Content-Type", "application/json")
              .header("User-Agent", "switchboard-webhooks")
              .header("X-Switchboard-Event", delivery.event())
              .header("X-Switchboard-Delivery", Long.toString(delivery.id()))
              .header(
                  WebhookSignature.HEADER,
                  WebhookSignature.sign(delivery.secret(), now, delivery.body()))
              .POST(HttpRequest.BodyPublishers.ofString(delivery.body()))
              .build();
      return client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
    }

    private CompletionStage<Long> record(
        WebhookStore.Claimed delivery, Integer status, String error) {
      boolean delivered = error == null;
      int attempts = delivery.attempts() + 1;
      Instant next = null;
      String outcome = "delivered";
      if (!delivered) {
        if (attempts >= settings.maxAttempts()) {
          outcome = "gave-up";
          error = error + "; given up after " + attempts + " attempts";
        } else {
          outcome = "retried";
          next = clock.instant().plus(settings.backoff(attempts));
        }
      }
      FleetSignalMetrics.webhookAttempts(outcome).increment();
      return store.recordAttempt(delivery.id(), status, error, delivered, next);
    }

    private static String describe(Throwable failure) {
      Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
      String message = cause.getMessage();
      String text = cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
      return text.length() > 500 ? text.substring(0, 500) : text;
    }
  }
}
