using OrleansSaas.Data.Media;
using OrleansSaas.Outbound;

namespace OrleansSaas.Engines.Web;

/// <summary>What fetching a message's media link gave: the bytes, or why there are none.</summary>
public sealed record LinkedMedia(byte[]? Data, string? MimeType, string? Error);

/// <summary>
/// Fetches a message's media link on the silo, through the outbound guard, so that the sidecar (whose library would
/// fetch it unchecked) only ever gets bytes. Errors tell the tenant no more than "refused" or "failed".
/// </summary>
public sealed class WebMediaLinks(OutboundGuard guard) : IDisposable
{
    private static readonly TimeSpan FetchTimeout = TimeSpan.FromSeconds(60);

    private readonly HttpClient _http = new(guard.CreateHandler()) { Timeout = FetchTimeout, MaxResponseContentBufferSize = MediaRules.LargestFile };

    public async Task<LinkedMedia> FetchAsync(string link)
    {
        try
        {
            using var response = await _http.GetAsync(link);
            if (!response.IsSuccessStatusCode) return new LinkedMedia(null, null, "media_unavailable: fetching the link failed.");
            return new LinkedMedia(await response.Content.ReadAsByteArrayAsync(), response.Content.Headers.ContentType?.MediaType, null);
        }
        catch (Exception error) when (OutboundGuard.IsRefusal(error))
        {
            return new LinkedMedia(null, null, "media_refused: the link's address is refused.");
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException)
        {
            return new LinkedMedia(null, null, "media_unavailable: fetching the link failed.");
        }
    }

    public void Dispose() => _http.Dispose();
}
