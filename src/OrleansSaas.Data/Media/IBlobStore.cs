namespace OrleansSaas.Data.Media;

/// <summary>
/// Where media bytes live, by opaque key. PostgreSQL by default (<see cref="PostgresBlobStore"/>); an object store
/// can replace it. Writes are all-or-nothing: a put that fails leaves no blob behind.
/// </summary>
public interface IBlobStore
{
    /// <summary>Stores the stream's remaining bytes under a key that is not in use yet.</summary>
    Task PutAsync(string key, Stream content, CancellationToken cancellationToken = default);

    /// <summary>The blob's bytes, read as the caller consumes them; null when there is no such blob. The caller disposes the stream.</summary>
    Task<Stream?> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes the blob; a missing blob is not an error.</summary>
    Task DeleteAsync(string key, CancellationToken cancellationToken = default);
}
