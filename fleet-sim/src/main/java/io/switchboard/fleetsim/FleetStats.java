package io.switchboard.fleetsim;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters every agent updates from its own actor; lock-free, read at any time as a {@link
 * Summary}.
 */
public final class FleetStats {

  private final int agentsRequested;
  private final long startNanos = System.nanoTime();
  private final AtomicInteger connectedNow = new AtomicInteger();
  private final AtomicInteger maxConnected = new AtomicInteger();
  private final AtomicInteger everConnected = new AtomicInteger();
  private final AtomicLong allConnectedAfterNanos = new AtomicLong(-1);
  private final LongAdder messagesSent = new LongAdder();
  private final LongAdder messagesReceived = new LongAdder();
  private final LongAdder reconnects = new LongAdder();
  private final LongAdder retryAftersHonoured = new LongAdder();
  private final LongAdder configsApplied = new LongAdder();
  private final LongAdder configsFailed = new LongAdder();
  private final LongAdder commandsReceived = new LongAdder();
  private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

  public FleetStats(int agentsRequested) {
    this.agentsRequested = agentsRequested;
  }

  /** An agent got the server's first answer on a connection. */
  void connected(boolean firstTimeForThisAgent) {
    int now = connectedNow.incrementAndGet();
    maxConnected.accumulateAndGet(now, Math::max);
    if (firstTimeForThisAgent && everConnected.incrementAndGet() == agentsRequested) {
      allConnectedAfterNanos.set(System.nanoTime() - startNanos);
    }
  }

  void disconnected() {
    connectedNow.decrementAndGet();
  }

  void messageSent() {
    messagesSent.increment();
  }

  void messageReceived() {
    messagesReceived.increment();
  }

  void reconnect() {
    reconnects.increment();
  }

  void retryAfterHonoured() {
    retryAftersHonoured.increment();
  }

  void configApplied() {
    configsApplied.increment();
  }

  void configFailed() {
    configsFailed.increment();
  }

  void commandReceived() {
    commandsReceived.increment();
  }

  /** Something went wrong; {@code kind} is a short stable tag such as {@code connect-failed}. */
  void error(String kind) {
    errors.computeIfAbsent(kind, k -> new LongAdder()).increment();
  }

  public Summary snapshot() {
    long allConnected = allConnectedAfterNanos.get();
    SortedMap<String, Long> errorCounts = new TreeMap<>();
    errors.forEach((kind, count) -> errorCounts.put(kind, count.sum()));
    return new Summary(
        agentsRequested,
        everConnected.get(),
        connectedNow.get(),
        maxConnected.get(),
        allConnected < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(allConnected)),
        Duration.ofNanos(System.nanoTime() - startNanos),
        messagesSent.sum(),
        messagesReceived.sum(),
        reconnects.sum(),
        retryAftersHonoured.sum(),
        configsApplied.sum(),
        configsFailed.sum(),
        commandsReceived.sum(),
        errorCounts);
  }
}
