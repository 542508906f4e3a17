using System.Buffers;
using Npgsql;

namespace OrleansSaas.Data.Media;

/// <summary>
/// Blobs in PostgreSQL: a media_blobs row per blob and its bytes in 1 MiB media_blob_chunks rows, written in one
/// transaction (all or nothing) and read back a chunk at a time, so memory stays at one chunk per transfer
/// whatever the file size, and a slow download holds no connection between chunks.
/// </summary>
public sealed class PostgresBlobStore(NpgsqlDataSource db) : IBlobStore
{
    internal const int ChunkSize = 1024 * 1024;

    public async Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var header = new NpgsqlCommand("INSERT INTO media_blobs (key, size) VALUES (@key, 0)", connection, transaction))
        {
            header.Parameters.AddWithValue("key", key);
            await header.ExecuteNonQueryAsync(cancellationToken);
        }

        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        long size = 0;
        try
        {
            await using var insert = new NpgsqlCommand("INSERT INTO media_blob_chunks (key, chunk, data) VALUES (@key, @chunk, @data)", connection, transaction);
            insert.Parameters.AddWithValue("key", key);
            var chunk = new NpgsqlParameter<int>("chunk", 0);
            var data = new NpgsqlParameter<ReadOnlyMemory<byte>>("data", ReadOnlyMemory<byte>.Empty);
            insert.Parameters.Add(chunk);
            insert.Parameters.Add(data);
            for (var next = 0; ; next++)
            {
                var read = await content.ReadAtLeastAsync(buffer.AsMemory(0, ChunkSize), ChunkSize, throwOnEndOfStream: false, cancellationToken);
                if (read == 0) break;
                chunk.TypedValue = next;
                data.TypedValue = buffer.AsMemory(0, read);
                await insert.ExecuteNonQueryAsync(cancellationToken);
                size += read;
                if (read < ChunkSize) break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        await using (var complete = new NpgsqlCommand("UPDATE media_blobs SET size = @size WHERE key = @key", connection, transaction))
        {
            complete.Parameters.AddWithValue("key", key);
            complete.Parameters.AddWithValue("size", size);
            await complete.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    public Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default) =>
        PostgresBlobReadStream.OpenAsync(db, key, cancellationToken);

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        // The chunks go with their blob row (ON DELETE CASCADE).
        await using var command = db.CreateCommand("DELETE FROM media_blobs WHERE key = @key");
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
