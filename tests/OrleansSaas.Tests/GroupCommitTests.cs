using Npgsql;
using OrleansSaas.Data;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

/// <summary>The group commit against a real PostgreSQL: what it reports is committed, and one bad statement harms only its caller.</summary>
public sealed class GroupCommitTests
{
    [Fact]
    public async Task Concurrent_writes_are_committed_when_their_tasks_complete_and_report_their_own_rows()
    {
        await using var db = NpgsqlDataSource.Create(await PostgresServer.Instance.CreateDatabaseAsync("groupcommit"));
        await ExecuteAsync(db, "CREATE TABLE items (id int PRIMARY KEY, key text NOT NULL)");
        var commits = new GroupCommit(db);

        var writes = Enumerable.Range(1, 500).Select(async i =>
        {
            var rows = await commits.ExecuteAsync($"key{i % 7}", Statement("INSERT INTO items (id, key) VALUES (@id, @key) ON CONFLICT DO NOTHING RETURNING id", i));
            // Completed means committed: another connection sees the row at once.
            var seen = await ScalarAsync(db, $"SELECT count(*) FROM items WHERE id = {i}");
            return (rows, seen);
        }).ToList();
        var results = await Task.WhenAll(writes);

        Assert.All(results, r => Assert.Equal((1, 1L), r));
        Assert.Equal(500L, await ScalarAsync(db, "SELECT count(*) FROM items"));
        // A repeat returns no row: the count is per statement, not per batch.
        Assert.Equal(0, await commits.ExecuteAsync("key1", Statement("INSERT INTO items (id, key) VALUES (@id, @key) ON CONFLICT DO NOTHING RETURNING id", 1)));
    }

    [Fact]
    public async Task A_failing_statement_fails_only_its_own_caller_and_the_others_are_committed()
    {
        await using var db = NpgsqlDataSource.Create(await PostgresServer.Instance.CreateDatabaseAsync("groupcommit"));
        await ExecuteAsync(db, "CREATE TABLE items (id int PRIMARY KEY, key text NOT NULL)");
        await ExecuteAsync(db, "INSERT INTO items VALUES (13, 'taken')");
        var commits = new GroupCommit(db);

        var writes = Enumerable.Range(1, 200).Select(i => (Id: i,
            Task: commits.ExecuteAsync("one writer", Statement("INSERT INTO items (id, key) VALUES (@id, @key)", i)))).ToList();

        foreach (var (id, task) in writes)
        {
            if (id == 13) await Assert.ThrowsAsync<PostgresException>(() => task);
            else Assert.Equal(1, await task);
        }
        Assert.Equal(200L, await ScalarAsync(db, "SELECT count(*) FROM items"));
        Assert.Equal("taken", await ScalarAsync<string>(db, "SELECT key FROM items WHERE id = 13"));
    }

    private static NpgsqlBatchCommand Statement(string sql, int id)
    {
        var statement = new NpgsqlBatchCommand(sql);
        statement.Parameters.AddWithValue("id", id);
        statement.Parameters.AddWithValue("key", $"item {id}");
        return statement;
    }

    private static async Task ExecuteAsync(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static Task<long> ScalarAsync(NpgsqlDataSource db, string sql) => ScalarAsync<long>(db, sql);

    private static async Task<T> ScalarAsync<T>(NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
