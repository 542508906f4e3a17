using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansSaas.Data;
using OrleansSaas.Data.Events;
using OrleansSaas.Data.Schema;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Events;

/// <summary>The event store directly, on a database of its own: appending, numbering in write order, and the retention purge.</summary>
public sealed class EventStoreTests : IAsyncLifetime
{
    private NpgsqlDataSource _db = null!;
    private EventStore _store = null!;

    public async Task InitializeAsync()
    {
        var connectionString = await PostgresServer.Instance.CreateDatabaseAsync("events");
        await new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance).MigrateAsync();
        _db = NpgsqlDataSource.Create(connectionString);
        _store = new EventStore(_db, new GroupCommit(_db));
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task Appended_events_are_numbered_in_write_order_and_only_numbered_ones_are_read()
    {
        var now = DateTimeOffset.UtcNow;
        for (var i = 1; i <= 3; i++) await _store.AppendAsync("ten_a", "session.qr", "ses_1", now, $$"""{"n":{{i}}}""");
        await _store.AppendAsync("ten_b", "session.qr", "ses_9", now, """{"n":9}""");
        Assert.Empty(await _store.ListAsync("ten_a", 0, 10));

        Assert.Equal(3, (await _store.NumberAsync("ten_a", 100)).Count);

        var events = await _store.ListAsync("ten_a", 0, 10);
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Seq));
        Assert.Equal(["""{"n":1}""", """{"n":2}""", """{"n":3}"""], events.Select(e => e.Data));
        Assert.Equal(events[1].Id, (await _store.GetAsync("ten_a", events[1].Id))!.Id);
        // Another tenant's event is neither numbered with these nor found by their tenant.
        Assert.Equal(["ten_b"], await _store.ListTenantsWithUnnumberedAsync(now.AddMinutes(1), 10));
        Assert.Null(await _store.GetAsync("ten_b", events[0].Id));
    }

    [Fact]
    public async Task Numbering_leaves_event_rows_as_written_and_event_ids_are_time_ordered_uuid_v7()
    {
        for (var i = 0; i < 3; i++) await _store.AppendAsync("ten_a", "session.qr", "ses_1", DateTimeOffset.UtcNow, "{}");
        var versionsBefore = await RowVersionsAsync();

        Assert.Equal(3, (await _store.NumberAsync("ten_a", 100)).Count);

        // The same row versions (ctid, xmin): numbering wrote no new copy of any event.
        Assert.Equal(versionsBefore, await RowVersionsAsync());
        var ids = (await _store.ListAsync("ten_a", 0, 10)).Select(e => e.Id).ToList();
        Assert.All(ids, id => Assert.Matches("^evt_[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$", id));
        // The first 48 bits are the time in milliseconds: never decreasing in write order (the rest is random).
        var millis = ids.Select(id => Convert.ToInt64(id[4..16], 16)).ToList();
        Assert.Equal(millis.Order(), millis);
        Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(millis[0]), DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
    }

    private async Task<List<string>> RowVersionsAsync()
    {
        await using var command = _db.CreateCommand("SELECT ctid::text || '/' || xmin::text FROM events WHERE tenant_id = 'ten_a' ORDER BY position");
        await using var reader = await command.ExecuteReaderAsync();
        var versions = new List<string>();
        while (await reader.ReadAsync()) versions.Add(reader.GetString(0));
        return versions;
    }

    [Fact]
    public async Task The_purge_deletes_numbered_events_older_than_the_cutoff_in_batches_and_keeps_the_rest()
    {
        var old = DateTimeOffset.UtcNow.AddDays(-40);
        for (var i = 0; i < 5; i++) await _store.AppendAsync("ten_a", "session.qr", "ses_1", old, "{}");
        await _store.NumberAsync("ten_a", 100);
        await _store.AppendAsync("ten_a", "session.qr", "ses_1", old, "{}");   // old but not numbered yet: kept for its number
        await _store.AppendAsync("ten_a", "session.qr", "ses_1", DateTimeOffset.UtcNow, "{}");

        var cutoff = DateTimeOffset.UtcNow.AddDays(-30);
        Assert.Equal(3, await _store.DeleteOlderThanAsync(cutoff, 3));
        Assert.Equal(2, await _store.DeleteOlderThanAsync(cutoff, 3));
        Assert.Equal(0, await _store.DeleteOlderThanAsync(cutoff, 3));

        await using var count = _db.CreateCommand("SELECT count(*) FROM events WHERE tenant_id = 'ten_a'");
        Assert.Equal(2L, await count.ExecuteScalarAsync());
    }
}
