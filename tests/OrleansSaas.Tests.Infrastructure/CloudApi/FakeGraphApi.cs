using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace OrleansSaas.Tests.Infrastructure.CloudApi;

/// <summary>A request the fake received, as it came over the wire.</summary>
public sealed record GraphRequest(string Method, string Path, string? Authorization, string Body)
{
    public JsonNode Json => JsonNode.Parse(Body)!;
}

/// <summary>A webhook the fake posted to our gateway.</summary>
public sealed record WebhookPost(DateTimeOffset PostedAt, double AnswerMilliseconds, int Status, string Json);

/// <summary>
/// A stand-in for Meta's Graph API on loopback (Kestrel), speaking the wire format of shared/CLOUD_API.md and
/// written from it alone: it shares no code with the engine. It answers sends with wamid-shaped ids, posts
/// signed status webhooks (sent → delivered → read; only sent for reactions) to the number's webhook URL,
/// stores uploads and hands out download URLs that expire and need the token, and on demand answers errors,
/// duplicates or reorders statuses, answers slowly or not at all.
/// </summary>
public sealed partial class FakeGraphApi : IAsyncDisposable
{
    public const string Version = "v23.0";
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeNumber> _numbers = new();
    private readonly ConcurrentDictionary<string, (string PhoneNumberId, string MimeType, byte[] Bytes)> _media = new();
    private readonly ConcurrentQueue<GraphRequest> _requests = new();
    private readonly ConcurrentQueue<(int Status, string Body)> _webhookAnswers = new();
    private readonly ConcurrentQueue<WebhookPost> _webhookPosts = new();
    private readonly HttpClient _webhookClient = new() { Timeout = TimeSpan.FromSeconds(10) };

    public string BaseUrl { get; }
    public IReadOnlyList<GraphRequest> Requests => _requests.ToArray();
    /// <summary>The sends (POST /{id}/messages with a type) in arrival order.</summary>
    public IReadOnlyList<JsonNode> Sends => Requests.Where(r => r.Method == "POST" && r.Path.EndsWith("/messages") && r.Json["type"] is not null).Select(r => r.Json).ToList();
    /// <summary>Our gateway's answers to the webhooks the fake posted.</summary>
    public IReadOnlyList<(int Status, string Body)> WebhookAnswers => _webhookAnswers.ToArray();
    /// <summary>Every webhook the fake posted: when it started, how long our gateway took to answer, what it answered (for the benchmark).</summary>
    public IReadOnlyList<WebhookPost> WebhookPosts => _webhookPosts.ToArray();

    /// <summary>Each status webhook twice.</summary>
    public bool DuplicateStatuses { get; set; }
    /// <summary>Statuses of a message in reverse order (read before delivered before sent).</summary>
    public bool ReverseStatuses { get; set; }
    /// <summary>Post status webhooks at all (off: only the send's reply).</summary>
    public bool SendStatuses { get; set; } = true;
    /// <summary>Wait this long before answering any request.</summary>
    public TimeSpan AnswerDelay { get; set; }
    /// <summary>Never answer (the caller times out).</summary>
    public bool NoAnswer { get; set; }
    public TimeSpan MediaUrlLifetime { get; set; } = TimeSpan.FromMinutes(5);

    private FakeGraphApi(int port)
    {
        BaseUrl = $"http://127.0.0.1:{port}";
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(BaseUrl);
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use(async (context, next) =>
        {
            if (NoAnswer) await Task.Delay(Timeout.Infinite, context.RequestAborted);
            if (AnswerDelay > TimeSpan.Zero) await Task.Delay(AnswerDelay, context.RequestAborted);
            await next(context);
        });
        _app.MapGet("/media-download/{mediaId}", Download);
        _app.MapGet($"/{Version}/{{id}}", GetObject);
        _app.MapPost($"/{Version}/{{phoneNumberId}}/messages", PostMessage);
        _app.MapPost($"/{Version}/{{phoneNumberId}}/media", PostMedia);
    }

    /// <param name="port">A loopback port chosen beforehand (the benchmark tool configures the silos before the fake starts); any free one by default.</param>
    public static async Task<FakeGraphApi> StartAsync(int? port = null)
    {
        var fake = new FakeGraphApi(port ?? PostgresServer.FreePort());
        await fake._app.StartAsync();
        return fake;
    }

    public FakeNumber AddNumber(string? accessToken = null, string verifiedName = "Fake Business")
    {
        var id = RandomDigits(15);
        var number = new FakeNumber(id, accessToken ?? "EAAG" + Convert.ToHexString(RandomNumberGenerator.GetBytes(24)),
            Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), "1555" + RandomDigits(7), verifiedName);
        _numbers[id] = number;
        return number;
    }

    public IReadOnlyList<JsonNode> SendsOf(FakeNumber number) =>
        Requests.Where(r => r.Method == "POST" && r.Path == $"/{Version}/{number.PhoneNumberId}/messages" && r.Json["type"] is not null).Select(r => r.Json).ToList();

    public IReadOnlyList<JsonNode> ReadMarksOf(FakeNumber number) =>
        Requests.Where(r => r.Method == "POST" && r.Path == $"/{Version}/{number.PhoneNumberId}/messages" && (string?)r.Json["status"] == "read").Select(r => r.Json).ToList();

    // ---- Graph API endpoints ----

    private async Task<IResult> GetObject(string id, HttpContext context)
    {
        Record(context, "");
        if (_numbers.TryGetValue(id, out var number))
        {
            if (!Authorized(context, number)) return Error(190, "Invalid OAuth access token - Cannot parse access token");
            return Json($$"""{"verified_name":{{Str(number.VerifiedName)}},"display_phone_number":{{Str(Pretty(number.DisplayPhoneNumber))}},"quality_rating":"GREEN","status":{{Str(number.Status)}},"throughput":{"level":"STANDARD"},"id":{{Str(number.PhoneNumberId)}}}""");
        }
        if (_media.TryGetValue(id, out var media) && _numbers.TryGetValue(media.PhoneNumberId, out var owner))
        {
            if (!Authorized(context, owner)) return Error(190, "Invalid OAuth access token - Cannot parse access token");
            var expires = DateTimeOffset.UtcNow.Add(MediaUrlLifetime).ToUnixTimeSeconds();
            var url = $"{BaseUrl}/media-download/{id}?ext={expires}&hash={Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8))}";
            var sha = Convert.ToHexStringLower(SHA256.HashData(media.Bytes));
            return Json($$"""{"messaging_product":"whatsapp","url":{{Str(url)}},"mime_type":{{Str(media.MimeType)}},"sha256":"{{sha}}","file_size":"{{media.Bytes.Length}}","id":{{Str(id)}}}""");
        }
        await Task.CompletedTask;
        return Error(100, "Unsupported get request. Object with ID does not exist");
    }

    private IResult Download(string mediaId, HttpContext context)
    {
        Record(context, "");
        if (!_media.TryGetValue(mediaId, out var media) || !_numbers.TryGetValue(media.PhoneNumberId, out var owner)) return Results.NotFound();
        if (!Authorized(context, owner)) return Results.Unauthorized();
        if (!long.TryParse(context.Request.Query["ext"], out var expires) || DateTimeOffset.UtcNow.ToUnixTimeSeconds() > expires) return Results.NotFound();
        return Results.Bytes(media.Bytes, media.MimeType);
    }

    private async Task<IResult> PostMedia(string phoneNumberId, HttpContext context)
    {
        Record(context, "(multipart)");
        if (!_numbers.TryGetValue(phoneNumberId, out var number)) return Error(100, "Invalid phone number id");
        if (!Authorized(context, number)) return Error(190, "Invalid OAuth access token - Cannot parse access token");
        var form = await context.Request.ReadFormAsync();
        if ((string?)form["messaging_product"] != "whatsapp" || form.Files["file"] is not { } file) return Error(100, "(#100) The parameter file is required.");
        using var bytes = new MemoryStream();
        await file.CopyToAsync(bytes);
        var id = RandomDigits(16);
        _media[id] = (phoneNumberId, file.ContentType, bytes.ToArray());
        return Json($$"""{"id":"{{id}}"}""");
    }

    /// <summary>Stores bytes as if a user had sent them, for inbound media.</summary>
    public string StoreMedia(FakeNumber number, string mimeType, byte[] bytes)
    {
        var id = RandomDigits(16);
        _media[id] = (number.PhoneNumberId, mimeType, bytes);
        return id;
    }

    public byte[]? UploadedBytes(string mediaId) => _media.TryGetValue(mediaId, out var media) ? media.Bytes : null;

    private async Task<IResult> PostMessage(string phoneNumberId, HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        Record(context, body);
        if (!_numbers.TryGetValue(phoneNumberId, out var number)) return Error(100, "Invalid phone number id");
        if (!Authorized(context, number)) return Error(190, "Error validating access token: Session has expired.");
        var json = JsonNode.Parse(body)!;
        if ((string?)json["messaging_product"] != "whatsapp") return Error(100, "(#100) The parameter messaging_product is required.");
        if ((string?)json["status"] == "read") return Json("""{"success":true}""");
        if (number.NextSendErrors.TryDequeue(out var code)) return Error(code, Titles.GetValueOrDefault(code, "Error"));
        // A phone number in "to", or a business-scoped user id (US.1349…) in "recipient".
        var userId = (string?)json["recipient"];
        var to = (string?)json["to"] ?? userId ?? "";
        if (to.Length == 0) return Error(100, "(#100) The parameter to is required.");
        var type = (string?)json["type"] ?? "text";
        if (json[type] is null) return Error(131008, "Required parameter is missing");
        var waId = json["to"] is null ? "" : new string(to.Where(char.IsAsciiDigit).ToArray());
        var wamid = "wamid.HBgL" + (waId.Length > 0 ? waId : Convert.ToHexString(RandomNumberGenerator.GetBytes(6))) + "FQIAERgS" + Convert.ToHexString(RandomNumberGenerator.GetBytes(9));
        var statuses = number.ClosedWindows.ContainsKey(to) ? ["failed"] : type == "reaction" ? new[] { "sent" } : ["sent", "delivered", "read"];
        if (SendStatuses) _ = PostStatusesAsync(number, wamid, waId.Length > 0 ? waId : to, statuses, (string?)json["biz_opaque_callback_data"]);
        var contact = waId.Length > 0 ? $"\"wa_id\":\"{waId}\"" : $"\"user_id\":{Str(to)}";
        return Json($$"""{"messaging_product":"whatsapp","contacts":[{"input":{{Str(to)}},{{contact}}}],"messages":[{"id":"{{wamid}}"}]}""");
    }

    private static readonly Dictionary<int, string> Titles = new()
    {
        [130429] = "Rate limit hit", [131056] = "(Business Account, Consumer Account) pair rate limit hit", [131047] = "Re-engagement message",
        [131026] = "Message undeliverable", [190] = "Invalid OAuth access token", [368] = "Temporarily blocked for policies violations",
        [131000] = "Something went wrong", [4] = "Application request limit reached", [132001] = "Template does not exist",
    };

    private static int HttpStatusFor(int code) => code switch
    {
        190 => 401,
        4 => 429,
        1 or 2 or 131000 or 131016 => 500,
        >= 10 and <= 299 and not 100 => 403,
        _ => 400,
    };

    private static IResult Error(int code, string message) => Results.Text(
        $$$"""{"error":{"message":{{{Str($"(#{code}) {message}")}}},"type":"OAuthException","code":{{{code}}},"error_data":{"messaging_product":"whatsapp","details":{{{Str(message)}}}},"error_subcode":2494055,"fbtrace_id":"A{{{Convert.ToHexString(RandomNumberGenerator.GetBytes(8))}}}"}}""",
        "application/json", Encoding.UTF8, HttpStatusFor(code));

    private static IResult Json(string json) => Results.Text(json, "application/json", Encoding.UTF8, 200);

    private static bool Authorized(HttpContext context, FakeNumber number) =>
        context.Request.Headers.Authorization.ToString() == $"Bearer {number.AccessToken}";

    private void Record(HttpContext context, string body) =>
        _requests.Enqueue(new GraphRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.Headers.Authorization.ToString(), body));

    public async ValueTask DisposeAsync()
    {
        NoAnswer = false;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _webhookClient.Dispose();
    }

    public static string Str(string? value) => value is null ? "null" : "\"" + System.Text.Encodings.Web.JavaScriptEncoder.Default.Encode(value) + "\"";

    private static string Pretty(string digits) => $"+{digits[0]} {digits[1..4]}-{digits[4..7]}-{digits[7..]}";

    public static string RandomDigits(int count) => string.Concat(Enumerable.Range(0, count).Select(i => (char)('0' + RandomNumberGenerator.GetInt32(i == 0 ? 1 : 0, 10))));
}
