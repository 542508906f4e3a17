using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OrleansSaas.Data.Schema;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

public sealed class SchemaMigrationTests
{
    [Fact]
    public async Task Applies_every_script_to_an_empty_database_with_the_provider_queries_and_app_tables()
    {
        var connectionString = await PostgresServer.Instance.CreateDatabaseAsync("schema");

        var applied = await Migrator(connectionString).MigrateAsync();

        Assert.Equal(SchemaMigrator.Scripts.Select(s => s.Name), applied);
        var queryKeys = await ReadColumnAsync(connectionString, "SELECT querykey FROM orleansquery");
        string[] required =
        [
            "UpdateIAmAlivetimeKey", "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "GatewaysQueryKey",
            "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "CleanupDefunctSiloEntriesKey",
            "WriteToStorageKey", "ReadFromStorageKey", "ClearStorageKey",
            "UpsertReminderRowKey", "ReadReminderRowKey", "ReadReminderRowsKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
            "DeleteReminderRowKey", "DeleteReminderRowsKey",
        ];
        Assert.Empty(required.Except(queryKeys));
        var tables = await ReadColumnAsync(connectionString, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'");
        Assert.Contains("messages", tables);
        Assert.Contains("sessions", tables);
    }

    [Fact]
    public async Task Applying_twice_is_a_no_op()
    {
        var connectionString = await PostgresServer.Instance.CreateDatabaseAsync("schema");
        await Migrator(connectionString).MigrateAsync();

        var second = await Migrator(connectionString).MigrateAsync();

        Assert.Empty(second);
        Assert.Equal(SchemaMigrator.Scripts.Count, await CountAsync(connectionString, "SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Concurrent_migrators_apply_each_script_exactly_once()
    {
        var connectionString = await PostgresServer.Instance.CreateDatabaseAsync("schema");

        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Migrator(connectionString).MigrateAsync())));

        Assert.Equal(SchemaMigrator.Scripts.Select(s => s.Name).Order(), runs.SelectMany(r => r).Order());
        Assert.Equal(SchemaMigrator.Scripts.Count, await CountAsync(connectionString, "SELECT count(*) FROM schema_migrations"));
        Assert.Empty(await Migrator(connectionString).MigrateAsync());
    }

    [Fact]
    public async Task An_upgrade_moves_the_messages_waiting_to_go_into_the_send_queue()
    {
        var connectionString = await PostgresServer.Instance.CreateDatabaseAsync("schema");
        await using var db = NpgsqlDataSource.Create(connectionString);
        async Task RunScriptsAsync(Func<string, bool> which)
        {
            foreach (var (_, sql) in SchemaMigrator.Scripts.Where(s => which(s.Name)))
                await db.CreateCommand(sql).ExecuteNonQueryAsync();
        }
        await RunScriptsAsync(name => string.CompareOrdinal(name, "0015") < 0);
        // What the version before the send queue table left: one message waiting, one gone.
        await db.CreateCommand("""
            INSERT INTO messages (id, tenant_id, session_id, direction, peer, type, body, status, network_id, created_at, updated_at) VALUES
                ('msg_q', 'ten_a', 'ses_1', 'outbound', '+12015550102', 'text', 'waiting', 'queued', 'msg_q', now(), now()),
                ('msg_s', 'ten_a', 'ses_1', 'outbound', '+12015550102', 'text', 'gone', 'sent', 'msg_s', now(), now());
            """).ExecuteNonQueryAsync();

        await RunScriptsAsync(name => string.CompareOrdinal(name, "0015") >= 0);

        Assert.Equal(["msg_q"], await ReadColumnAsync(connectionString, "SELECT message_id FROM send_queue"));
        // A message deleted (retention, a deleted session) leaves the queue with it.
        await db.CreateCommand("DELETE FROM messages WHERE id = 'msg_q'").ExecuteNonQueryAsync();
        Assert.Equal(0, await CountAsync(connectionString, "SELECT count(*) FROM send_queue"));
    }

    private static SchemaMigrator Migrator(string connectionString) => new(connectionString, NullLogger<SchemaMigrator>.Instance);

    private static async Task<List<string>> ReadColumnAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync()) values.Add(reader.GetString(0));
        return values;
    }

    private static async Task<long> CountAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
