package io.songmap.eventstore;

import static io.songmap.eventstore.Events.event;
import static io.songmap.eventstore.Events.events;
import static io.songmap.eventstore.TestDb.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.songmap.eventstore.upcast.Upcaster;
import io.songmap.eventstore.upcast.Upcasters;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract of {@link EventStore}, run against every implementation. Each test works in a tenant of its own, so
 * tests share one store without seeing each other's events.
 */
public abstract class EventStoreConformance {

  /** A store over the same storage for every call, reading with {@code upcasters}. */
  protected abstract EventStore store(Upcasters upcasters);

  protected EventStore store;
  protected String tenant;

  @BeforeEach
  void newTenant() {
    store = store(Upcasters.NONE);
    tenant = "t-" + UUID.randomUUID();
  }

  private List<RecordedEvent> all(EventFilter filter) {
    List<RecordedEvent> out = new ArrayList<>();
    await(store.forEachPage(Position.START, filter, 7, page -> {
      out.addAll(page);
      return Future.succeededFuture();
    }));
    return out;
  }

  @Nested
  class Append {
    @Test
    void a_new_stream_gets_versions_from_one_and_reads_back_as_written() {
      List<NewEvent> written = events("JobSubmitted", 3);
      AppendResult result = await(store.append(tenant, "job-1", ExpectedVersion.NO_STREAM, written));

      assertThat(result).isEqualTo(new AppendResult(3, true));
      StreamSlice slice = await(store.readStream(tenant, "job-1", 1));
      assertThat(slice.streamVersion()).isEqualTo(3);
      assertThat(slice.events()).extracting(RecordedEvent::version).containsExactly(1L, 2L, 3L);
      for (int i = 0; i < 3; i++) {
        RecordedEvent e = slice.events().get(i);
        NewEvent w = written.get(i);
        assertThat(e.eventId()).isEqualTo(w.eventId());
        assertThat(e.type()).isEqualTo("JobSubmitted");
        assertThat(e.schemaVersion()).isEqualTo(1);
        assertThat(e.dataJson()).isEqualTo(new JsonObject(w.data()));
        assertThat(e.metaJson()).isEqualTo(new JsonObject(w.meta()));
        assertThat(e.tenant()).isEqualTo(tenant);
        assertThat(e.streamId()).isEqualTo("job-1");
        assertThat(e.recordedAt()).isNotNull();
      }
    }

    @Test
    void exact_expected_version_appends_after_it() {
      await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, events("A", 2)));
      AppendResult r = await(store.append(tenant, "s", ExpectedVersion.exactly(2), events("B", 2)));
      assertThat(r.streamVersion()).isEqualTo(4);
      assertThat(r.nextExpected()).isEqualTo(ExpectedVersion.exactly(4));
    }

    @Test
    void a_stale_expected_version_is_refused_with_the_actual_version() {
      await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, events("A", 3)));

      assertThatThrownBy(() -> await(store.append(tenant, "s", ExpectedVersion.exactly(2), List.of(event("B", 1)))))
          .isInstanceOfSatisfying(WrongExpectedVersion.class, e -> {
            assertThat(e.actualVersion()).isEqualTo(3);
            assertThat(e.expected()).isEqualTo(ExpectedVersion.exactly(2));
          });
      assertThat(await(store.readStream(tenant, "s", 1)).events()).hasSize(3);
    }

    @Test
    void no_stream_is_refused_when_the_stream_exists() {
      await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, events("A", 1)));
      assertThatThrownBy(() -> await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, events("A", 1))))
          .isInstanceOfSatisfying(WrongExpectedVersion.class, e -> assertThat(e.actualVersion()).isEqualTo(1));
    }

    @Test
    void an_exact_version_on_a_missing_stream_is_refused_with_actual_zero() {
      assertThatThrownBy(() -> await(store.append(tenant, "nope", ExpectedVersion.exactly(1), events("A", 1))))
          .isInstanceOfSatisfying(WrongExpectedVersion.class, e -> assertThat(e.actualVersion()).isZero());
    }

    @Test
    void any_version_appends_to_new_and_existing_streams() {
      assertThat(await(store.append(tenant, "s", ExpectedVersion.ANY, events("A", 2))).streamVersion()).isEqualTo(2);
      assertThat(await(store.append(tenant, "s", ExpectedVersion.ANY, events("A", 1))).streamVersion()).isEqualTo(3);
    }

    @Test
    void re_appending_the_same_events_succeeds_and_writes_nothing() {
      List<NewEvent> first = events("A", 2);
      List<NewEvent> second = events("B", 2);
      await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, first));
      await(store.append(tenant, "s", ExpectedVersion.exactly(2), second));

      assertThat(await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, first)))
          .isEqualTo(new AppendResult(4, false));
      assertThat(await(store.append(tenant, "s", ExpectedVersion.exactly(2), second)))
          .isEqualTo(new AppendResult(4, false));
      assertThat(await(store.append(tenant, "s", ExpectedVersion.ANY, second)))
          .isEqualTo(new AppendResult(4, false));
      assertThat(await(store.readStream(tenant, "s", 1)).events()).hasSize(4);
    }

    @Test
    void the_same_events_at_another_place_are_refused_and_change_nothing() {
      List<NewEvent> first = events("A", 2);
      await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, first));
      assertThatThrownBy(() -> await(store.append(tenant, "s", ExpectedVersion.exactly(2), first)))
          .isInstanceOf(DuplicateEvent.class);
      assertThat(await(store.readStream(tenant, "s", 1)).streamVersion()).isEqualTo(2);
    }

    @Test
    void an_event_id_used_in_another_stream_is_refused() {
      NewEvent e = event("A", 1);
      await(store.append(tenant, "s1", ExpectedVersion.NO_STREAM, List.of(e)));
      assertThatThrownBy(() -> await(store.append(tenant, "s2", ExpectedVersion.NO_STREAM, List.of(e))))
          .isInstanceOf(DuplicateEvent.class);
      assertThat(await(store.readStream(tenant, "s2", 1)).streamVersion()).isZero();
    }

    @Test
    void tenants_do_not_share_streams() {
      String other = tenant + "-other";
      await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, events("A", 2)));
      await(store.append(other, "s", ExpectedVersion.NO_STREAM, events("A", 1)));
      assertThat(await(store.readStream(tenant, "s", 1)).events()).hasSize(2);
      assertThat(await(store.readStream(other, "s", 1)).events()).hasSize(1);
    }
  }

  @Nested
  class ReadStream {
    @Test
    void from_a_version_with_a_limit() {
      await(store.append(tenant, "s", ExpectedVersion.NO_STREAM, events("A", 10)));
      StreamSlice slice = await(store.readStream(tenant, "s", 4, 3, ReadOptions.DEFAULT));
      assertThat(slice.events()).extracting(RecordedEvent::version).containsExactly(4L, 5L, 6L);
      assertThat(slice.streamVersion()).isEqualTo(10);
      assertThat(await(store.readStream(tenant, "s", 11)).events()).isEmpty();
    }

    @Test
    void a_missing_stream_is_empty_at_version_zero() {
      StreamSlice slice = await(store.readStream(tenant, "missing", 1));
      assertThat(slice.streamVersion()).isZero();
      assertThat(slice.events()).isEmpty();
    }
  }

  @Nested
  class ReadAll {
    @Test
    void returns_every_event_once_in_position_order() {
      await(store.append(tenant, "a", ExpectedVersion.NO_STREAM, events("A", 5)));
      await(store.append(tenant, "b", ExpectedVersion.NO_STREAM, events("B", 5)));
      await(store.append(tenant, "a", ExpectedVersion.exactly(5), events("A", 5)));

      List<RecordedEvent> all = all(EventFilter.ALL.forTenant(tenant));
      assertThat(all).hasSize(15);
      assertThat(all).extracting(RecordedEvent::position).isSorted().doesNotHaveDuplicates();
      assertThat(all).filteredOn(e -> e.streamId().equals("a")).extracting(RecordedEvent::version)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void filters_by_type_and_tenant() {
      String other = tenant + "-other";
      await(store.append(tenant, "a", ExpectedVersion.NO_STREAM, List.of(event("A", 1), event("B", 2), event("C", 3))));
      await(store.append(other, "a", ExpectedVersion.NO_STREAM, List.of(event("A", 1))));

      assertThat(all(new EventFilter(tenant, Set.of("A", "C"), false))).extracting(RecordedEvent::type)
          .containsExactly("A", "C");
      assertThat(all(EventFilter.ALL.forTenant(other))).hasSize(1);
      List<RecordedEvent> everyTenant = all(EventFilter.types("A"));
      assertThat(everyTenant).extracting(RecordedEvent::tenant).contains(tenant, other);
    }

    @Test
    void many_pages_read_ahead_give_what_one_big_page_gives() {
      for (int s = 0; s < 12; s++) {
        await(store.append(tenant, "s" + s, ExpectedVersion.NO_STREAM,
            List.of(event("A", 1), event("B", 2), event("A", 3), event("C", 4), event("A", 5), event("B", 6),
                event("A", 7), event("A", 8), event("C", 9), event("A", 10), event("B", 11), event("A", 12))));
      }
      await(store.archive(tenant, "s3"));
      for (EventFilter filter : List.of(EventFilter.ALL.forTenant(tenant), EventFilter.ALL.forTenant(tenant)
          .withArchived(), new EventFilter(tenant, Set.of("A", "C"), false))) {
        List<Position> expected = await(store.readAll(Position.START, filter, 10_000)).events().stream()
            .map(RecordedEvent::position).toList();
        List<Integer> sizes = new ArrayList<>();
        List<Position> read = new ArrayList<>();
        Position end = await(store.forEachPage(Position.START, filter, 5, page -> {
          sizes.add(page.size());
          page.forEach(e -> read.add(e.position()));
          return Future.succeededFuture();
        }));
        assertThat(read).as("%s", filter).isEqualTo(expected);
        assertThat(end).isEqualTo(expected.get(expected.size() - 1));
        assertThat(sizes).allMatch(n -> n > 0 && n <= 5);
      }
    }

    @Test
    void events_appended_while_reading_ahead_come_at_most_once_and_in_order() {
      for (int s = 0; s < 10; s++) {
        await(store.append(tenant, "s" + s, ExpectedVersion.NO_STREAM, events("A", 10)));
      }
      List<RecordedEvent> read = new ArrayList<>();
      int[] pages = new int[1];
      await(store.forEachPage(Position.START, EventFilter.ALL.forTenant(tenant), 6, page -> {
        read.addAll(page);
        return ++pages[0] > 20 ? Future.succeededFuture()
            : store.append(tenant, "late", ExpectedVersion.ANY, events("B", 3)).mapEmpty();
      }));
      assertThat(read).extracting(RecordedEvent::position).isSorted().doesNotHaveDuplicates();
      assertThat(read).filteredOn(e -> e.type().equals("A")).hasSize(100);
      assertThat(read).filteredOn(e -> e.streamId().equals("late")).extracting(RecordedEvent::version)
          .isSorted().doesNotHaveDuplicates();
    }

    @Test
    void a_failing_page_handler_fails_the_whole_read() {
      await(store.append(tenant, "a", ExpectedVersion.NO_STREAM, events("A", 40)));
      int[] pages = new int[1];
      assertThatThrownBy(() -> await(store.forEachPage(Position.START, EventFilter.ALL.forTenant(tenant), 5,
          page -> ++pages[0] == 2 ? Future.failedFuture(new IllegalStateException("projection broke"))
              : Future.succeededFuture())))
          .hasMessageContaining("projection broke");
      assertThat(pages[0]).isEqualTo(2);
    }

    @Test
    void pages_continue_where_the_last_one_ended() {
      await(store.append(tenant, "a", ExpectedVersion.NO_STREAM, events("A", 25)));
      EventFilter mine = EventFilter.ALL.forTenant(tenant);
      AllEventsPage first = await(store.readAll(Position.START, mine, 10));
      AllEventsPage second = await(store.readAll(first.last(), mine, 10));
      AllEventsPage third = await(store.readAll(second.last(), mine, 10));
      AllEventsPage empty = await(store.readAll(third.last(), mine, 10));
      assertThat(first.events()).hasSize(10);
      assertThat(second.events()).hasSize(10);
      assertThat(third.events()).hasSize(5);
      assertThat(empty.events()).isEmpty();
      assertThat(empty.last()).isEqualTo(third.last());
      assertThat(second.events().get(0).version()).isEqualTo(11);
    }
  }

  @Nested
  class Archive {
    @Test
    void hides_the_stream_from_reads_unless_asked_and_refuses_appends() {
      await(store.append(tenant, "old", ExpectedVersion.NO_STREAM, events("A", 3)));
      await(store.append(tenant, "new", ExpectedVersion.NO_STREAM, events("A", 2)));
      await(store.archive(tenant, "old"));

      StreamSlice hidden = await(store.readStream(tenant, "old", 1));
      assertThat(hidden.events()).isEmpty();
      assertThat(hidden.archived()).isTrue();
      assertThat(await(store.readStream(tenant, "old", 1, 100, ReadOptions.INCLUDE_ARCHIVED)).events()).hasSize(3);

      assertThat(all(EventFilter.ALL.forTenant(tenant))).extracting(RecordedEvent::streamId).containsOnly("new");
      assertThat(all(EventFilter.ALL.forTenant(tenant).withArchived())).hasSize(5);

      assertThatThrownBy(() -> await(store.append(tenant, "old", ExpectedVersion.exactly(3), events("A", 1))))
          .isInstanceOf(StreamArchived.class);
      assertThatThrownBy(() -> await(store.append(tenant, "old", ExpectedVersion.ANY, events("A", 1))))
          .isInstanceOf(StreamArchived.class);
    }
  }

  @Nested
  class Upcasting {
    @Test
    void upcasts_old_schema_versions_on_read_step_by_step_without_rewriting() {
      NewEvent v1 = NewEvent.of(UUID.randomUUID(), "StageCompleted", 1, new JsonObject().put("out", "s3://x"), null);
      NewEvent v3 = NewEvent.of(UUID.randomUUID(), "StageCompleted", 3,
          new JsonObject().put("artifacts", List.of("s3://y")).put("hash", "h"), null);
      await(store.append(tenant, "job", ExpectedVersion.NO_STREAM, List.of(v1, v3)));

      EventStore upcasting = store(Upcasters.of(
          Upcaster.of("StageCompleted", 1, (d, m) -> new JsonObject().put("artifacts", List.of(d.getString("out")))),
          Upcaster.of("StageCompleted", 2, (d, m) -> d.copy().put("hash", "unknown"))));

      List<RecordedEvent> read = await(upcasting.readStream(tenant, "job", 1)).events();
      assertThat(read).extracting(RecordedEvent::schemaVersion).containsExactly(3, 3);
      assertThat(read.get(0).dataJson())
          .isEqualTo(new JsonObject().put("artifacts", List.of("s3://x")).put("hash", "unknown"));
      assertThat(read.get(1).dataJson()).isEqualTo(new JsonObject(v3.data()));
      assertThat(all(EventFilter.ALL.forTenant(tenant)).get(0).schemaVersion()).isEqualTo(1);
      List<RecordedEvent> upcastAll = new ArrayList<>();
      await(upcasting.forEachPage(Position.START, EventFilter.ALL.forTenant(tenant), 10, p -> {
        upcastAll.addAll(p);
        return Future.succeededFuture();
      }));
      assertThat(upcastAll).extracting(RecordedEvent::schemaVersion).containsExactly(3, 3);
    }
  }
}
