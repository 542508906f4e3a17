using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;

namespace OrleansSaas.Data;

/// <summary>
/// Group commit for the hot single-statement writes of this process: statements from many callers are sent
/// together as one batch in one transaction (one round trip, one commit, one flush to disk). A caller's task
/// completes only after that commit, so "written" means what it meant for a statement run alone.
/// <para>
/// There is no timer: a batch is whatever arrived while the writer's previous batch was being committed, so a
/// lone write goes at once and batches grow with the load. Writes are spread over a few writers by a key (the
/// session or message they change): writes with the same key go through one writer in order, so two batches
/// in flight never wait on each other's rows.
/// </para>
/// </summary>
public sealed class GroupCommit
{
    private const int Writers = 4;        // batches in flight at once, each on its own connection
    private const int MaxBatch = 200;     // statements per transaction
    private readonly NpgsqlDataSource _db;
    private readonly Channel<Write>[] _writers;

    public GroupCommit(NpgsqlDataSource db)
    {
        _db = db;
        _writers = new Channel<Write>[Writers];
        for (var i = 0; i < Writers; i++)
        {
            var queue = _writers[i] = Channel.CreateUnbounded<Write>(new UnboundedChannelOptions { SingleReader = true });
            _ = Task.Run(() => WriteLoopAsync(queue.Reader));
        }
    }

    /// <summary>
    /// Runs <paramref name="statement"/> in the next commit of the writer for <paramref name="key"/>; returns the
    /// rows it returned (a SELECT, or RETURNING) or else changed.
    /// </summary>
    public Task<int> ExecuteAsync(string key, NpgsqlBatchCommand statement)
    {
        var write = new Write(statement) { Caller = Activity.Current };
        var writer = (int)((uint)StringComparer.Ordinal.GetHashCode(key) % Writers);
        if (!_writers[writer].Writer.TryWrite(write)) throw new InvalidOperationException("Group commit is closed.");
        return write.Done.Task;
    }

    /// <summary>The key of writes to one session's rows (its messages, its registry row, its events).</summary>
    public static string KeyOf(string tenantId, string sessionId) => $"{tenantId}/{sessionId}";

    private async Task WriteLoopAsync(ChannelReader<Write> queue)
    {
        var writes = new List<Write>(MaxBatch);
        while (await queue.WaitToReadAsync())
        {
            while (writes.Count < MaxBatch && queue.TryRead(out var write)) writes.Add(write);
            await CommitAsync(writes);
            writes.Clear();
        }
    }

    private async Task CommitAsync(IReadOnlyList<Write> writes)
    {
        try
        {
            var rows = await RunAsync(writes);
            for (var i = 0; i < writes.Count; i++) writes[i].Done.TrySetResult(rows[i]);
        }
        catch (PostgresException) when (writes.Count > 1)
        {
            // One statement failed and rolled the whole transaction back: each runs again alone, so only its own caller sees the error.
            foreach (var write in writes) await CommitAsync([write with { Statement = Copy(write.Statement) }]);
        }
        catch (Exception error)
        {
            foreach (var write in writes) write.Done.TrySetException(error);
        }
    }

    /// <summary>One round trip: the statements of a batch without its own transaction run in one implicit transaction.</summary>
    private async Task<int[]> RunAsync(IReadOnlyList<Write> writes)
    {
        // The batch's database span joins its first caller's trace (a span has one parent); the other callers'
        // traces show the wait inside their own spans.
        var previous = Activity.Current;
        Activity.Current = writes[0].Caller;
        try
        {
            return await RunInTraceAsync(writes);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    private async Task<int[]> RunInTraceAsync(IReadOnlyList<Write> writes)
    {
        await using var connection = await _db.OpenConnectionAsync();
        await using var batch = new NpgsqlBatch(connection);
        foreach (var write in writes) batch.BatchCommands.Add(write.Statement);
        await using (var reader = await batch.ExecuteReaderAsync())
        {
            do
            {
                while (await reader.ReadAsync()) { }
            } while (await reader.NextResultAsync());
        }
        return writes.Select(w => checked((int)w.Statement.Rows)).ToArray();
    }

    /// <summary>A fresh statement with the same text and parameters: a statement that took part in a failed batch cannot be sent again.</summary>
    private static NpgsqlBatchCommand Copy(NpgsqlBatchCommand statement)
    {
        var copy = new NpgsqlBatchCommand(statement.CommandText);
        foreach (NpgsqlParameter parameter in statement.Parameters) copy.Parameters.Add(parameter.Clone());
        return copy;
    }

    private sealed record Write(NpgsqlBatchCommand Statement)
    {
        public TaskCompletionSource<int> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public Activity? Caller { get; init; }
    }
}
