using Npgsql;

namespace OrleansSaas.Benchmarks.Target;

/// <summary>
/// Cumulative costs at one moment; the difference of two is what happened between them. Updates of the messages
/// table are counted in all and as HOT updates (rewritten in place, no index entry written). WAL is counted in bytes
/// and in full-page images (a page's first change after a checkpoint writes the whole page).
/// </summary>
public sealed record CostSnapshot(TimeSpan ProductCpu, TimeSpan PostgresCpu, long Commits, long MessageUpdates, long MessageHotUpdates,
    long WalBytes, long WalFullPages, string WalPosition);

/// <summary>WAL of one kind of record (resource manager/record type), as pg_walinspect counted it.</summary>
public sealed record WalRecordCost(string Kind, long Count, long Bytes);

/// <summary>One normalised statement of the product, as pg_stat_statements counted it.</summary>
public sealed record StatementCost(string Query, long Calls, double TotalMilliseconds);

/// <summary>
/// Load-independent costs of a run (CPU time and commits, not wall-clock rates), so a run on a busy machine
/// still says where the work goes.
/// </summary>
public sealed partial class LocalCluster
{
    // Marks the tool's own queries, so the statement statistics can leave them out.
    private const string BenchQuery = "/* bench */";

    /// <summary>What the product has spent so far: CPU of its processes and of PostgreSQL, and the commits in its database.</summary>
    public async Task<CostSnapshot> CostAsync()
    {
        var commits = await _cluster.QueryScalarAsync<long>($"{BenchQuery} SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()");
        var updates = await _cluster.QueryScalarAsync<long>($"{BenchQuery} SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'messages'");
        var hotUpdates = await _cluster.QueryScalarAsync<long>($"{BenchQuery} SELECT n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = 'messages'");
        var walBytes = await _cluster.QueryScalarAsync<long>($"{BenchQuery} SELECT wal_bytes::bigint FROM pg_stat_wal");
        var walFullPages = await _cluster.QueryScalarAsync<long>($"{BenchQuery} SELECT wal_fpi FROM pg_stat_wal");
        var walPosition = await _cluster.QueryScalarAsync<string>($"{BenchQuery} SELECT pg_current_wal_insert_lsn()::text") ?? "0/0";
        var productCpu = _cluster.Processes.Aggregate(TimeSpan.Zero, (sum, process) => sum + process.CpuTime);
        return new CostSnapshot(productCpu, _postgres.CpuTime(), commits, updates, hotUpdates, walBytes, walFullPages, walPosition);
    }

    /// <summary>Starts counting statements afresh (pg_stat_statements, which the tool's PostgreSQL loads).</summary>
    public async Task ResetStatementsAsync()
    {
        await _cluster.QueryScalarAsync<object>($"{BenchQuery} CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
        await _cluster.QueryScalarAsync<object>($"{BenchQuery} SELECT pg_stat_statements_reset()::text");
    }

    /// <summary>The product's statements since <see cref="ResetStatementsAsync"/>, most called first; the tool's own are left out.</summary>
    public async Task<IReadOnlyList<StatementCost>> StatementsAsync(int limit)
    {
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            {BenchQuery} SELECT query, calls, total_exec_time FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND toplevel
              AND query NOT LIKE '{BenchQuery}%'
            ORDER BY calls DESC LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var statements = new List<StatementCost>();
        while (await reader.ReadAsync()) statements.Add(new StatementCost(reader.GetString(0), reader.GetInt64(1), reader.GetDouble(2)));
        return statements;
    }

    /// <summary>The kinds of WAL record written since <paramref name="since"/>, most bytes first (pg_walinspect, a contrib extension).</summary>
    public async Task<IReadOnlyList<WalRecordCost>> WalRecordsAsync(CostSnapshot since, int limit)
    {
        await _cluster.QueryScalarAsync<object>($"{BenchQuery} CREATE EXTENSION IF NOT EXISTS pg_walinspect");
        await using var connection = new NpgsqlConnection(_cluster.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"""
            {BenchQuery} SELECT "resource_manager/record_type", count, combined_size
            FROM pg_get_wal_stats(@since::pg_lsn, pg_current_wal_flush_lsn(), true)
            ORDER BY combined_size DESC LIMIT @limit
            """, connection);
        command.Parameters.AddWithValue("since", since.WalPosition);
        command.Parameters.AddWithValue("limit", limit);
        await using var reader = await command.ExecuteReaderAsync();
        var records = new List<WalRecordCost>();
        while (await reader.ReadAsync()) records.Add(new WalRecordCost(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        return records;
    }

    /// <summary>
    /// Waits until the messages have settled: none queued or awaiting its delivery receipt, none pending in the
    /// simulated network, every event numbered. Read from the database, so waiting adds no work to the product.
    /// </summary>
    public async Task<bool> WaitSettledAsync(TimeSpan timeout, CancellationToken cancellation)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (DateTimeOffset.UtcNow < deadline)
        {
            var unsettled = await _cluster.QueryScalarAsync<long>($"""
                {BenchQuery} SELECT (SELECT count(*) FROM messages WHERE direction = 'outbound' AND status IN ('queued', 'sent'))
                    + (SELECT count(*) FROM sim_network_messages WHERE delivered_at IS NULL)
                    + (SELECT count(*) FROM event_queue)
                """);
            if (unsettled == 0) return true;
            await Task.Delay(TimeSpan.FromMilliseconds(100), cancellation);
        }
        return false;
    }
}
