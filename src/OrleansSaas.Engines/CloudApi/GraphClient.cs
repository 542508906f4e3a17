using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace OrleansSaas.Engines.CloudApi;

/// <summary>An error the Graph API answered: the engine decides by <see cref="Code"/>, never by HTTP status.</summary>
public sealed record GraphError(int Code, string Message, string? Details)
{
    public override string ToString() => Details is null ? $"{Code}: {Message}" : $"{Code}: {Message} ({Details})";
}

public sealed record GraphReply(int Status, JsonNode? Body, GraphError? Error);

/// <summary>The calls the engine makes to the Graph API, with the session's token; network failures surface as exceptions.</summary>
public sealed class GraphClient(IHttpClientFactory factory, IOptions<CloudApiOptions> options)
{
    public const string HttpClientName = "cloud-api";

    private string Url(string path) => $"{options.Value.BaseUrl.TrimEnd('/')}/{options.Value.ApiVersion}/{path}";

    public Task<GraphReply> GetAsync(string path, string token) => SendAsync(new HttpRequestMessage(HttpMethod.Get, Url(path)), token);

    public Task<GraphReply> PostAsync(string path, string token, JsonNode body) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, Url(path)) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") }, token);

    /// <summary>POST /{phone-number-id}/media as multipart: messaging_product, type and the file.</summary>
    public Task<GraphReply> UploadAsync(string phoneNumberId, string token, Stream content, string mimeType, string fileName)
    {
        var file = new StreamContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue(mimeType);
        var form = new MultipartFormDataContent
        {
            { new StringContent("whatsapp"), "messaging_product" },
            { new StringContent(mimeType), "type" },
            { file, "file", fileName },
        };
        return SendAsync(new HttpRequestMessage(HttpMethod.Post, Url($"{phoneNumberId}/media")) { Content = form }, token);
    }

    /// <summary>Downloads a media URL the Graph API handed out (it needs the token too); null when it is gone.</summary>
    public async Task<(string MimeType, Stream Content)?> DownloadAsync(string url, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await Client().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            response.Dispose();
            return null;
        }
        return (response.Content.Headers.ContentType?.MediaType ?? "application/octet-stream", await response.Content.ReadAsStreamAsync());
    }

    private HttpClient Client()
    {
        var client = factory.CreateClient(HttpClientName);
        client.Timeout = options.Value.RequestTimeout;
        return client;
    }

    private async Task<GraphReply> SendAsync(HttpRequestMessage request, string token)
    {
        using (request)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await Client().SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            JsonNode? body = null;
            try
            {
                body = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (System.Text.Json.JsonException)
            {
                // A proxy's HTML error page: judged by status alone below.
            }
            var error = body?["error"] is JsonObject e
                ? new GraphError(e["code"]?.GetValue<int>() ?? 0, (string?)e["message"] ?? "", (string?)e["error_data"]?["details"])
                : response.IsSuccessStatusCode ? null : new GraphError((int)response.StatusCode >= 500 ? 2 : 0, $"HTTP {(int)response.StatusCode}", null);
            return new GraphReply((int)response.StatusCode, body, error);
        }
    }
}

/// <summary>What the engine does about an error code (shared/CLOUD_API.md's table).</summary>
public enum GraphErrorKind
{
    /// <summary>The token is invalid or expired: the session disconnects (auth_failed).</summary>
    AuthFailed,
    /// <summary>The account is blocked or locked: the session disconnects (banned).</summary>
    Banned,
    /// <summary>Throughput or call rate: back off, the queue waits.</summary>
    Throttled,
    /// <summary>Pair rate: only this recipient waits.</summary>
    RecipientThrottled,
    /// <summary>Temporary on Meta's side: try again.</summary>
    Transient,
    /// <summary>The message will not go: failed with the code and title.</summary>
    Failed,
}

public static class GraphErrors
{
    public static GraphErrorKind Classify(int code) => code switch
    {
        190 => GraphErrorKind.AuthFailed,
        368 or 131031 => GraphErrorKind.Banned,
        4 or 80007 or 130429 => GraphErrorKind.Throttled,
        131056 => GraphErrorKind.RecipientThrottled,
        1 or 2 or 131000 or 131016 or 131057 => GraphErrorKind.Transient,
        _ => GraphErrorKind.Failed,
    };
}
