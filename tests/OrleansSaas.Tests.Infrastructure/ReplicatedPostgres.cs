using Npgsql;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>
/// The documented topology (docs/runbook.md): a primary and a standby streaming from it synchronously, so a
/// commit returns only once the standby has the WAL too. The product gets one connection string naming both
/// hosts and follows whichever is the primary. Killing the primary and promoting the standby is a failover.
/// </summary>
public sealed class ReplicatedPostgres : IDatabaseServer, IDisposable
{
    private ReplicatedPostgres(PostgresServer primary, PostgresServer standby)
    {
        Primary = primary;
        Standby = standby;
    }

    public PostgresServer Primary { get; }
    public PostgresServer Standby { get; }

    /// <summary>Starts both with PostgreSQL's default durability (synchronous_commit = on is what makes the standby synchronous).</summary>
    public static async Task<ReplicatedPostgres> StartAsync()
    {
        var primary = PostgresServer.StartNew(durable: true);
        try
        {
            var standby = primary.StartStandby();
            var pair = new ReplicatedPostgres(primary, standby);
            // Set after the copy, so the standby does not inherit it: promoted, it has no standby of its own to wait for.
            await ExecuteAsync(primary, "ALTER SYSTEM SET synchronous_standby_names = '*'");
            await ExecuteAsync(primary, "SELECT pg_reload_conf()");
            await pair.WaitSynchronousAsync();
            return pair;
        }
        catch
        {
            primary.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Both hosts; Npgsql tries them in order and keeps only a primary (a standby refuses writes). Host Recheck
    /// Seconds: how long Npgsql trusts what it learnt about a host, so a promoted standby is found within seconds.
    /// </summary>
    public string ConnectionString(string database) =>
        $"Host=127.0.0.1:{Primary.Port},127.0.0.1:{Standby.Port};Database={database};Username=app;" +
        "Target Session Attributes=primary;Host Recheck Seconds=2;Maximum Pool Size=40;Timeout=5";

    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var single = await Primary.CreateDatabaseAsync(prefix);
        return ConnectionString(new NpgsqlConnectionStringBuilder(single).Database!);
    }

    /// <summary>The primary dies (kill -9) and the standby is promoted, as an operator (or Patroni) would do.</summary>
    public void KillPrimary() => Primary.Kill();

    public void PromoteStandby() => Standby.Promote();

    private async Task WaitSynchronousAsync()
    {
        for (var attempt = 0; attempt < 300; attempt++)
        {
            await using var connection = new NpgsqlConnection(Primary.ConnectionString("postgres"));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'", connection);
            if ((long)(await command.ExecuteScalarAsync())! > 0) return;
            await Task.Delay(100);
        }
        throw new TimeoutException("The standby did not become a synchronous standby within 30 s.");
    }

    private static async Task ExecuteAsync(PostgresServer server, string sql)
    {
        await using var connection = new NpgsqlConnection(server.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose()
    {
        Standby.Dispose();
        Primary.Dispose();
    }
}
