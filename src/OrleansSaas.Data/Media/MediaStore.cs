using Microsoft.Extensions.Logging;
using Npgsql;

namespace OrleansSaas.Data.Media;

/// <summary>A stored piece of media, as the API shows it.</summary>
public sealed record MediaView(string Id, MediaKind Kind, string MimeType, string? FileName, long Size, string Sha256, DateTimeOffset CreatedAt);

/// <summary>What a tenant uploads: the checked kind and type, and the name the client gave the file.</summary>
public sealed record MediaUpload(MediaKind Kind, string MimeType, string? FileName, long Size);

/// <summary>The stored media (null when the tenant had no room for it) and the tenant's usage after the attempt.</summary>
public sealed record MediaSaveResult(MediaView? Media, long UsedBytes, long? QuotaBytes);

public sealed record MediaPage(IReadOnlyList<MediaView> Items, long? NextBefore);

/// <summary>
/// The media table and its blobs. Bytes go to the blob store first and the metadata row second, in one statement
/// with the tenant's usage, so a row (what the API can see) always has complete bytes and counted usage. A blob
/// whose row could not be written is deleted again. Every query is scoped by tenant, so another tenant's id is
/// simply not found.
/// </summary>
public sealed class MediaStore(NpgsqlDataSource db, IBlobStore blobs, ILogger<MediaStore> logger)
{
    private const string Columns = "id, kind, mime_type, file_name, size, sha256, created_at";

    /// <summary>
    /// Stores an upload unless it would take the tenant's usage over <paramref name="quotaBytes"/>. Concurrent
    /// uploads serialise on the tenant's usage row, so together they never overshoot.
    /// </summary>
    public async Task<MediaSaveResult> SaveUploadAsync(string tenantId, MediaUpload upload, Stream content, long quotaBytes, CancellationToken cancellationToken = default)
    {
        // Refuse early what cannot fit, before writing the bytes; the write below checks again atomically.
        var used = await GetUsedBytesAsync(tenantId, cancellationToken);
        if (used + upload.Size > quotaBytes) return new MediaSaveResult(null, used, quotaBytes);
        return await SaveAsync(tenantId, upload.Kind, upload.MimeType, upload.FileName, MediaSource.Upload, content, quotaBytes, cancellationToken);
    }

    /// <summary>
    /// Stores media a session received (engines call this). It counts towards the tenant's usage but is never
    /// refused for quota: refusing would lose part of a customer's message.
    /// </summary>
    public async Task<string> SaveInboundAsync(string tenantId, MediaKind kind, string mimeType, string? fileName, Stream content, CancellationToken cancellationToken = default)
    {
        var result = await SaveAsync(tenantId, kind, mimeType, fileName, MediaSource.Inbound, content, quotaBytes: null, cancellationToken);
        return result.Media!.Id;
    }

    public async Task<MediaView?> GetAsync(string tenantId, string mediaId, CancellationToken cancellationToken = default)
    {
        var found = await FindAsync(tenantId, mediaId, cancellationToken);
        return found?.Media;
    }

    /// <summary>The media and a stream of its bytes (the caller disposes it); null when the tenant has no such media.</summary>
    public async Task<(MediaView Media, Stream Content)?> OpenAsync(string tenantId, string mediaId, CancellationToken cancellationToken = default)
    {
        var found = await FindAsync(tenantId, mediaId, cancellationToken);
        if (found is null) return null;
        // Null when the media was deleted between the two reads: as good as never found.
        var content = await blobs.OpenReadAsync(found.Value.BlobKey, cancellationToken);
        return content is null ? null : (found.Value.Media, content);
    }

    /// <summary>Deletes the media and frees its bytes of the tenant's usage; false when the tenant has no such media.</summary>
    public async Task<bool> DeleteAsync(string tenantId, string mediaId, CancellationToken cancellationToken = default)
    {
        // One statement: the row and its usage go together or not at all.
        await using var command = db.CreateCommand("""
            WITH gone AS (
                DELETE FROM media WHERE tenant_id = @tenant AND id = @id RETURNING size, blob_key),
            freed AS (
                UPDATE media_usage SET used_bytes = used_bytes - gone.size FROM gone WHERE media_usage.tenant_id = @tenant)
            SELECT blob_key FROM gone
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("id", mediaId);
        if (await command.ExecuteScalarAsync(cancellationToken) is not string blobKey) return false;
        await DeleteBlobAsync(blobKey);
        return true;
    }

    /// <summary>Newest first; <see cref="MediaPage.NextBefore"/> continues after the last item and stays stable while media is added.</summary>
    public async Task<MediaPage> ListAsync(string tenantId, long? before, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = db.CreateCommand($"""
            SELECT {Columns}, seq FROM media
            WHERE tenant_id = @tenant AND (@before::bigint IS NULL OR seq < @before::bigint)
            ORDER BY seq DESC LIMIT @limit
            """);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("before", (object?)before ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", limit + 1);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<(MediaView Media, long Seq)>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add((ReadMedia(reader), reader.GetInt64(7)));
        var items = rows.Take(limit).ToList();
        return new MediaPage(items.Select(r => r.Media).ToList(), rows.Count > limit ? items[^1].Seq : null);
    }

    public async Task<long> GetUsedBytesAsync(string tenantId, CancellationToken cancellationToken = default)
    {
        await using var command = db.CreateCommand("SELECT used_bytes FROM media_usage WHERE tenant_id = @tenant");
        command.Parameters.AddWithValue("tenant", tenantId);
        return await command.ExecuteScalarAsync(cancellationToken) as long? ?? 0;
    }

    private async Task<MediaSaveResult> SaveAsync(string tenantId, MediaKind kind, string mimeType, string? fileName, MediaSource source,
        Stream content, long? quotaBytes, CancellationToken cancellationToken)
    {
        // Version 7 ids sort by creation time, like session ids.
        var id = $"med_{Guid.CreateVersion7():N}";
        var blobKey = $"{tenantId}/{id}";
        using var hashing = new HashingReadStream(content);
        await blobs.PutAsync(blobKey, hashing, cancellationToken);

        var media = new MediaView(id, kind, mimeType, MediaFileNames.Sanitise(fileName), hashing.BytesRead, hashing.Sha256Hex(), default);
        (DateTimeOffset CreatedAt, long UsedBytes)? inserted;
        try
        {
            inserted = await InsertWithinQuotaAsync(tenantId, media, source, blobKey, quotaBytes);
        }
        catch
        {
            await DeleteBlobUnlessStoredAsync(id, blobKey);
            throw;
        }
        if (inserted is { } row) return new MediaSaveResult(media with { CreatedAt = row.CreatedAt }, row.UsedBytes, quotaBytes);
        await DeleteBlobUnlessStoredAsync(id, blobKey);
        return new MediaSaveResult(null, await GetUsedBytesAsync(tenantId, CancellationToken.None), quotaBytes);
    }

    // Adds the size to the tenant's usage only if it stays within the quota (the upsert locks the usage row, so
    // concurrent uploads of one tenant take turns here), and inserts the row only if the usage was added. Null when
    // the quota had no room. Not cancellable: once the bytes are stored, finishing the bookkeeping is the cheap way out.
    private async Task<(DateTimeOffset CreatedAt, long UsedBytes)?> InsertWithinQuotaAsync(string tenantId, MediaView media, MediaSource source, string blobKey, long? quotaBytes)
    {
        await using var command = db.CreateCommand("""
            WITH counted AS (
                INSERT INTO media_usage AS u (tenant_id, used_bytes)
                SELECT @tenant, @size WHERE @quota::bigint IS NULL OR @size <= @quota::bigint
                ON CONFLICT (tenant_id) DO UPDATE SET used_bytes = u.used_bytes + excluded.used_bytes
                    WHERE @quota::bigint IS NULL OR u.used_bytes + excluded.used_bytes <= @quota::bigint
                RETURNING used_bytes),
            inserted AS (
                INSERT INTO media (id, tenant_id, kind, mime_type, file_name, size, sha256, source, blob_key, created_at)
                SELECT @id, @tenant, @kind, @mime_type, @file_name, @size, @sha256, @source, @blob_key, now() FROM counted
                RETURNING created_at)
            SELECT inserted.created_at, counted.used_bytes FROM inserted, counted
            """);
        command.Parameters.AddWithValue("id", media.Id);
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("kind", media.Kind.ToDb());
        command.Parameters.AddWithValue("mime_type", media.MimeType);
        command.Parameters.AddWithValue("file_name", (object?)media.FileName ?? DBNull.Value);
        command.Parameters.AddWithValue("size", media.Size);
        command.Parameters.AddWithValue("sha256", media.Sha256);
        command.Parameters.AddWithValue("source", source.ToDb());
        command.Parameters.AddWithValue("blob_key", blobKey);
        command.Parameters.AddWithValue("quota", (object?)quotaBytes ?? DBNull.Value);
        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? (reader.GetFieldValue<DateTimeOffset>(0), reader.GetInt64(1)) : null;
    }

    private async Task<(MediaView Media, string BlobKey)?> FindAsync(string tenantId, string mediaId, CancellationToken cancellationToken)
    {
        await using var command = db.CreateCommand($"SELECT {Columns}, blob_key FROM media WHERE tenant_id = @tenant AND id = @id");
        command.Parameters.AddWithValue("tenant", tenantId);
        command.Parameters.AddWithValue("id", mediaId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (ReadMedia(reader), reader.GetString(7)) : null;
    }

    // Runs after the row is gone (or was never written), so a failure here only leaves unreachable bytes behind.
    private async Task DeleteBlobAsync(string blobKey)
    {
        try
        {
            await blobs.DeleteAsync(blobKey, CancellationToken.None);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not delete media blob {BlobKey}; it is unreachable and can be removed", blobKey);
        }
    }

    // After a failed metadata write the row may still have been committed (the failure came after the commit); its
    // bytes must then stay. When even that cannot be checked, unreachable bytes are the lesser harm.
    private async Task DeleteBlobUnlessStoredAsync(string mediaId, string blobKey)
    {
        try
        {
            await using var command = db.CreateCommand("SELECT 1 FROM media WHERE id = @id");
            command.Parameters.AddWithValue("id", mediaId);
            if (await command.ExecuteScalarAsync() is null) await DeleteBlobAsync(blobKey);
        }
        catch (Exception exception)
        {
            logger.LogWarning(exception, "Could not tell whether media {MediaId} was stored; its blob {BlobKey} is kept", mediaId, blobKey);
        }
    }

    private static MediaView ReadMedia(NpgsqlDataReader reader) => new(
        Id: reader.GetString(0),
        Kind: MediaNames.ToMediaKind(reader.GetString(1)),
        MimeType: reader.GetString(2),
        FileName: reader.IsDBNull(3) ? null : reader.GetString(3),
        Size: reader.GetInt64(4),
        Sha256: reader.GetString(5),
        CreatedAt: reader.GetFieldValue<DateTimeOffset>(6));
}
