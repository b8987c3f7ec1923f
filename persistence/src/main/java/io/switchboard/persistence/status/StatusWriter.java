package io.switchboard.persistence.status;

import io.switchboard.observability.SwitchboardMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The node's status writer. Agent entities tell it their latest status and carry on; it keeps only
 * the latest status per agent (memory bounded by the number of agents, whatever the message rate)
 * and writes them in batches, on size or on time, with a few flushes in flight at once. An agent is
 * never in two flushes at the same time, so flushes cannot overtake each other for one agent. A
 * failed flush keeps its rows and retries with backoff, so a database outage delays writes but
 * loses no agent's latest state (bounded in bytes too: past that, only liveness is kept). A row the
 * database refuses for its data (one agent's report) is set aside by the store and counted; it
 * never fails the flush, so it can neither hold up other agents' statuses nor make the node look
 * unready.
 */
public final class StatusWriter extends AbstractBehavior<StatusWriter.Command> {

  public sealed interface Command {}

  /** An agent's latest status, to be written. */
  public record Record(AgentStatus status) implements Command {}

  /** Write everything pending now and reply once it is written (node shutdown, tests). */
  public record Flush(ActorRef<Done> replyTo) implements Command {}

  /** Ask how far behind the writer is; readiness and tests use it. */
  public record GetBacklog(ActorRef<Backlog> replyTo) implements Command {}

  /**
   * @param pendingAgents agents whose latest status is not yet written
   * @param consecutiveFailures failed flushes since the last successful one
   */
  public record Backlog(int pendingAgents, int consecutiveFailures) {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Written(
      List<AgentStatus> batch, AgentStatusStore.Upserted upserted, long startNanos)
      implements Command {}

  private record Failed(List<AgentStatus> batch, Throwable cause) implements Command {}

  private static final int LOGGED_REFUSALS = 10_000;

  public static Behavior<Command> create(AgentStatusStore store, StatusWriterSettings settings) {
    return create(store, settings, described -> {});
  }

  /**
   * A writer that tells {@code described} (on its own thread; it must not block) the agents whose
   * new description each flush has just committed, so that their standing assignment is decided
   * from their stored rows.
   */
  public static Behavior<Command> create(
      AgentStatusStore store, StatusWriterSettings settings, Consumer<List<String>> described) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers -> new StatusWriter(context, timers, store, settings, described)));
  }

  private final TimerScheduler<Command> timers;
  private final AgentStatusStore store;
  private final StatusWriterSettings settings;
  private final Consumer<List<String>> described;
  private final Map<String, AgentStatus> pending = new LinkedHashMap<>();
  private final List<ActorRef<Done>> flushWaiters = new ArrayList<>();

  /** Agents whose status is in a flush under way; their newer statuses wait in pending. */
  private final Set<String> inFlight = new HashSet<>();

  /**
   * Agents whose refused status was logged already: each is logged once (the most recent few
   * thousand).
   */
  private final Map<String, Boolean> refusedAgentsLogged =
      new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > LOGGED_REFUSALS;
        }
      };

  private int flushesInFlight;

  /** What the statuses in {@link #pending} hold, roughly (see {@link AgentStatus#bytes()}). */
  private long pendingBytes;

  private int consecutiveFailures;

  /**
   * After a failed flush, nothing is flushed until the backoff timer fires: no hammering a down
   * database.
   */
  private boolean backingOff;

  private Duration backoff;

  private StatusWriter(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      AgentStatusStore store,
      StatusWriterSettings settings,
      Consumer<List<String>> described) {
    super(context);
    this.timers = timers;
    this.store = store;
    this.settings = settings;
    this.described = described;
    this.backoff = settings.retryBackoffMin();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Record.class, this::onRecord)
        .onMessage(Flush.class, this::onFlush)
        .onMessage(GetBacklog.class, this::onGetBacklog)
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(Written.class, this::onWritten)
        .onMessage(Failed.class, this::onFailed)
        .build();
  }

  private Behavior<Command> onRecord(Record record) {
    AgentStatus status = record.status();
    if (pendingBytes + status.bytes() > settings.maxPendingBytes() && status.bytes() > 0) {
      SwitchboardMetrics.statusShed().increment();
      status = status.withoutReports();
    }
    merge(status);
    SwitchboardMetrics.statusPendingAgents().update(pending.size());
    if (!backingOff
        && pending.size() >= settings.maxBatch()
        && flushesInFlight < settings.concurrentFlushes()) {
      startFlush();
    } else if (!timers.isTimerActive(Tick.INSTANCE)) {
      timers.startSingleTimer(Tick.INSTANCE, settings.flushInterval());
    }
    return this;
  }

  private Behavior<Command> onFlush(Flush flush) {
    if (pending.isEmpty() && flushesInFlight == 0) {
      flush.replyTo().tell(Done.getInstance());
    } else {
      flushWaiters.add(flush.replyTo());
      flushWhatIsDue();
    }
    return this;
  }

  private Behavior<Command> onGetBacklog(GetBacklog get) {
    get.replyTo().tell(new Backlog(pending.size() + inFlight.size(), consecutiveFailures));
    return this;
  }

  private Behavior<Command> onTick() {
    backingOff = false;
    while (flushesInFlight < settings.concurrentFlushes() && startFlush()) {
      // one more batch started
    }
    return this;
  }

  private Behavior<Command> onWritten(Written written) {
    endFlush(written.batch());
    consecutiveFailures = 0;
    backoff = settings.retryBackoffMin();
    Instant oldestChange = Instant.MAX;
    for (AgentStatus status : written.batch()) {
      if (status.pendingSince().isBefore(oldestChange)) {
        oldestChange = status.pendingSince();
      }
    }
    SwitchboardMetrics.statusBatchSize().record(written.batch().size());
    SwitchboardMetrics.statusFlushDuration().record(System.nanoTime() - written.startNanos());
    SwitchboardMetrics.statusWriteLag()
        .record(Duration.between(oldestChange, Instant.now()).toNanos());
    written.upserted().refused().forEach(this::onRefused);
    tellDescribed(written);
    afterFlush();
    return this;
  }

  private Behavior<Command> onFailed(Failed failed) {
    endFlush(failed.batch());
    // Rows that changed again while the flush was out are newer; fill in only what they lack.
    for (AgentStatus status : failed.batch()) {
      AgentStatus newer = pending.get(status.instanceUid());
      put(newer == null ? status : newer.overlaying(status));
    }
    consecutiveFailures++;
    backingOff = true;
    SwitchboardMetrics.statusFlushFailures().increment();
    SwitchboardMetrics.statusPendingAgents().update(pending.size());
    getContext()
        .getLog()
        .warn(
            "Writing {} agent statuses failed, {} pending, retrying in {} ms: {}",
            failed.batch().size(),
            pending.size(),
            backoff.toMillis(),
            failed.cause().toString());
    timers.startSingleTimer(Tick.INSTANCE, backoff);
    backoff =
        backoff.multipliedBy(2).compareTo(settings.retryBackoffMax()) > 0
            ? settings.retryBackoffMax()
            : backoff.multipliedBy(2);
    return this;
  }

  /** The agents whose new description this flush stored (a refused status kept the old one). */
  private void tellDescribed(Written written) {
    Set<String> refused = new HashSet<>();
    written.upserted().refused().forEach(r -> refused.add(r.status().instanceUid()));
    List<String> uids = new ArrayList<>();
    for (AgentStatus status : written.batch()) {
      if (status.descriptionJson() != null && !refused.contains(status.instanceUid())) {
        uids.add(status.instanceUid());
      }
    }
    if (!uids.isEmpty()) {
      try {
        described.accept(uids);
      } catch (RuntimeException e) {
        getContext()
            .getLog()
            .warn("Deciding described agents' assignments failed: {}", e.toString());
      }
    }
  }

  /**
   * The database refused one agent's status for its data; everyone else's was written. Its liveness
   * was written without the refused parts, so the stored report stays the agent's last storable
   * one. Logged once per agent, however often it sends the same.
   */
  private void onRefused(AgentStatusStore.Refused refused) {
    SwitchboardMetrics.statusRowsRejected(refused.reason().tag()).increment();
    if (refusedAgentsLogged.put(refused.status().instanceUid(), Boolean.TRUE) == null) {
      getContext()
          .getLog()
          .warn(
              "The database refused agent {}'s status ({}); its report stays the last one stored: {}",
              refused.status().instanceUid(),
              refused.reason().tag(),
              refused.detail());
    }
  }

  /** Merges a newer status over what waits for its agent. */
  private void merge(AgentStatus status) {
    AgentStatus older = pending.get(status.instanceUid());
    put(older == null ? status : status.overlaying(older));
  }

  private void put(AgentStatus status) {
    AgentStatus replaced = pending.put(status.instanceUid(), status);
    pendingBytes += status.bytes() - (replaced == null ? 0 : replaced.bytes());
  }

  /** Continues straight away while full batches or a flush request are waiting. */
  private void afterFlush() {
    if (pending.isEmpty() && flushesInFlight == 0) {
      flushWaiters.forEach(waiter -> waiter.tell(Done.getInstance()));
      flushWaiters.clear();
    } else {
      flushWhatIsDue();
      if (!pending.isEmpty() && !timers.isTimerActive(Tick.INSTANCE)) {
        timers.startSingleTimer(Tick.INSTANCE, settings.flushInterval());
      }
    }
  }

  /** Full batches go at once, and so does everything when someone waits for a flush. */
  private void flushWhatIsDue() {
    while (!backingOff
        && flushesInFlight < settings.concurrentFlushes()
        && (pending.size() >= settings.maxBatch() || !flushWaiters.isEmpty())
        && startFlush()) {
      // one more batch started
    }
  }

  private void endFlush(List<AgentStatus> batch) {
    flushesInFlight--;
    batch.forEach(status -> inFlight.remove(status.instanceUid()));
  }

  /**
   * Starts a flush of the oldest pending statuses of agents not already in flight; false if none.
   */
  private boolean startFlush() {
    List<AgentStatus> batch = new ArrayList<>(Math.min(pending.size(), settings.maxBatch()));
    long batchBytes = 0;
    Iterator<AgentStatus> oldestFirst = pending.values().iterator();
    while (oldestFirst.hasNext()
        && batch.size() < settings.maxBatch()
        && (batch.isEmpty() || batchBytes < settings.maxBatchBytes())) {
      AgentStatus next = oldestFirst.next();
      if (!inFlight.contains(next.instanceUid())) {
        batch.add(next);
        batchBytes += next.bytes();
        pendingBytes -= next.bytes();
        oldestFirst.remove();
      }
    }
    if (batch.isEmpty()) {
      return false;
    }
    batch.forEach(status -> inFlight.add(status.instanceUid()));
    flushesInFlight++;
    SwitchboardMetrics.statusPendingAgents().update(pending.size());
    long startNanos = System.nanoTime();
    getContext()
        .pipeToSelf(
            store.upsert(batch),
            (upserted, failure) ->
                failure == null
                    ? new Written(batch, upserted, startNanos)
                    : new Failed(batch, failure));
    return true;
  }
}
