using System.Buffers;
using System.Data;
using Npgsql;

namespace OrleansSaas.Data.Media;

/// <summary>
/// Reads a blob's chunks in order, one query per chunk into a pooled buffer. The first chunk is read when the
/// stream is opened, so a blob deleted before that is simply not found; one deleted while it is being read ends
/// the stream with an IOException rather than with silently truncated content.
/// </summary>
internal sealed class PostgresBlobReadStream : Stream
{
    private readonly NpgsqlDataSource _db;
    private readonly string _key;
    private byte[]? _chunk = ArrayPool<byte>.Shared.Rent(PostgresBlobStore.ChunkSize);
    private long _length;
    private int _chunkLength;
    private int _chunkOffset;
    private int _nextChunk;
    private long _position;

    private PostgresBlobReadStream(NpgsqlDataSource db, string key)
    {
        _db = db;
        _key = key;
    }

    /// <summary>The blob's stream positioned at its start; null when there is no such blob.</summary>
    public static async Task<Stream?> OpenAsync(NpgsqlDataSource db, string key, CancellationToken cancellationToken)
    {
        var stream = new PostgresBlobReadStream(db, key);
        if (await stream.LoadNextChunkAsync(cancellationToken)) return stream;
        await stream.DisposeAsync();
        return null;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_chunk is null, this);
        if (buffer.IsEmpty || _position == _length) return 0;
        if (_chunkOffset == _chunkLength && !await LoadNextChunkAsync(cancellationToken))
            throw new IOException($"Blob '{_key}' was deleted while it was being read.");
        var count = Math.Min(buffer.Length, _chunkLength - _chunkOffset);
        _chunk.AsMemory(_chunkOffset, count).CopyTo(buffer);
        _chunkOffset += count;
        _position += count;
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // False when the blob is gone. Joining the blob row also yields the length, and an empty blob (no chunks).
    private async Task<bool> LoadNextChunkAsync(CancellationToken cancellationToken)
    {
        await using var command = _db.CreateCommand("""
            SELECT b.size, c.data FROM media_blobs b LEFT JOIN media_blob_chunks c ON c.key = b.key AND c.chunk = @chunk
            WHERE b.key = @key
            """);
        command.Parameters.AddWithValue("key", _key);
        command.Parameters.AddWithValue("chunk", _nextChunk);
        // Sequential access streams the chunk into our buffer instead of materialising the row first.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return false;
        _length = reader.GetInt64(0);
        if (await reader.IsDBNullAsync(1, cancellationToken))
        {
            if (_position < _length) throw new IOException($"Blob '{_key}' lacks chunk {_nextChunk}.");
            _chunkLength = 0;
        }
        else
        {
            await using var data = await reader.GetStreamAsync(1, cancellationToken);
            _chunkLength = await data.ReadAtLeastAsync(_chunk.AsMemory(0, PostgresBlobStore.ChunkSize), PostgresBlobStore.ChunkSize, throwOnEndOfStream: false, cancellationToken);
        }
        _chunkOffset = 0;
        _nextChunk++;
        return true;
    }

    // Blobs are read asynchronously only (ASP.NET Core and the store's callers never read synchronously); a
    // synchronous read would block a thread on the database.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("Read the blob asynchronously.");

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => _length;
    public override long Position { get => _position; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && _chunk is not null)
        {
            ArrayPool<byte>.Shared.Return(_chunk);
            _chunk = null;
        }
        base.Dispose(disposing);
    }
}
