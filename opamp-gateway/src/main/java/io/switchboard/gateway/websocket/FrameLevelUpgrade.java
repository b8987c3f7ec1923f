package io.switchboard.gateway.websocket;

import io.switchboard.gateway.session.Outbound;
import java.util.function.BiFunction;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.event.Logging;
import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.impl.engine.ws.FrameEvent;
import org.apache.pekko.http.impl.engine.ws.FrameEvent$;
import org.apache.pekko.http.impl.engine.ws.FrameStart;
import org.apache.pekko.http.impl.engine.ws.UpgradeToWebSocketLowLevel;
import org.apache.pekko.http.impl.engine.ws.WebSocket$;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.ws.Message;
import org.apache.pekko.http.javadsl.model.ws.WebSocketUpgrade;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;
import org.apache.pekko.http.scaladsl.settings.WebSocketSettings;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.javadsl.Flow;
import scala.Option;
import scala.concurrent.duration.FiniteDuration;

/**
 * WebSocket upgrades through Pekko HTTP's internal frame-level API, with Pekko's own WebSocket
 * stack on top, for two reasons the public message API cannot serve:
 *
 * <ul>
 *   <li>the session chooses the status code of the close frame. The message API closes with 1000
 *       whenever the handler completes, but an agent that sent an oversized message must be told
 *       1009 (OpAMP spec, WebSocket transport; RFC 6455 7.4.1);
 *   <li>one handler blueprint serves every connection, each materialization being one connection.
 *       The message API builds the stack and the handler anew for each upgrade, and the connection
 *       keeps that blueprint for as long as it lives: several KiB per agent.
 * </ul>
 *
 * {@code OpampWireTest} pins the close codes agents see, so an upgrade of Pekko HTTP that changes
 * these internals fails there.
 */
final class FrameLevelUpgrade {

  /** RFC 6455, 5.5.1. */
  private static final byte CLOSE_OPCODE = 0x8;

  /** Pekko's default for how long to wait for the agent's close frame. */
  private static final FiniteDuration CLOSE_TIMEOUT = FiniteDuration.apply(3, "seconds");

  private final WebSocketSettings settings;
  private final LoggingAdapter log;

  FrameLevelUpgrade(ActorSystem<?> system) {
    this.settings = ServerSettings.apply(system.settings().config()).websocketSettings();
    this.log = Logging.getLogger(system.classicSystem(), FrameLevelUpgrade.class);
  }

  /**
   * The handler for every connection: each materialization makes a {@link SessionClose} and the
   * connection's message flow from it and the attributes the upgrade added (what the connection's
   * credential proved), and the close frame carries what the close holds when the message flow's
   * outbound side completes.
   */
  Flow<FrameEvent, FrameEvent, Object> handler(
      BiFunction<SessionClose, Attributes, Flow<Message, Message, NotUsed>> connection) {
    return Flow.<FrameEvent, FrameEvent, NotUsed>fromMaterializer(
            (materializer, attributes) -> {
              SessionClose closing = new SessionClose();
              return WebSocket$.MODULE$
                  .stack(true, settings, CLOSE_TIMEOUT, log)
                  .join(
                      Flow.<org.apache.pekko.http.scaladsl.model.ws.Message>create()
                          .map(Message::adapt)
                          .via(connection.apply(closing, attributes))
                          .map(Message::asScala)
                          .asScala())
                  .asJava()
                  .map(closing::intoCloseFrame);
            })
        // handleFrames takes any materialized value, which Java's invariant generics spell Object.
        .mapMaterializedValue(connected -> (Object) connected);
  }

  /** Answers the upgrade with a handler made by {@link #handler}. */
  static HttpResponse handle(
      WebSocketUpgrade upgrade, Flow<FrameEvent, FrameEvent, Object> handler) {
    if (!(upgrade instanceof UpgradeToWebSocketLowLevel frameLevel)) {
      throw new IllegalStateException(
          "Pekko HTTP no longer offers frame-level WebSocket upgrades ("
              + upgrade.getClass().getName()
              + ")");
    }
    return frameLevel.handleFrames(handler, Option.empty());
  }

  /**
   * The close code and reason a session chose, recorded when its outbound stream ends and written
   * into the close frame that follows. One per connection.
   */
  static final class SessionClose {

    private volatile Outbound.Close close = Outbound.Close.NORMAL;

    /** True for the message that ends the session's outbound stream, whose code it keeps. */
    boolean isEnd(Outbound message) {
      if (message instanceof Outbound.Close end) {
        close = end;
        return true;
      }
      return false;
    }

    /** The server's close frame with the session's code; every other frame as it is. */
    FrameEvent intoCloseFrame(FrameEvent frame) {
      Outbound.Close chosen = close;
      if (chosen.code() == Outbound.Close.NORMAL.code()
          || !(frame instanceof FrameStart start)
          || start.header().opcode().code() != CLOSE_OPCODE) {
        return frame;
      }
      return FrameEvent$.MODULE$.closeFrame(chosen.code(), chosen.reason(), Option.empty());
    }
  }
}
