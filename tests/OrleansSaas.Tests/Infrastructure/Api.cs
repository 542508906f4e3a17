using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace OrleansSaas.Tests.Infrastructure;

/// <summary>Wire-level helpers: tests read replies as JSON, exactly as a client of the API would.</summary>
public static class Api
{
    public const string ProblemBase = "https://orleanssaas.dev/problems/";

    public static async Task<JsonNode> ReadJsonAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>Asserts an RFC 9457 reply with our stable type prefix (and, when given, the exact type name).</summary>
    public static async Task<JsonNode> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode expected, string? type = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri?.PathAndQuery}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonNode.Parse(body)!;
        Assert.StartsWith(ProblemBase, (string?)problem["type"]);
        if (type is not null) Assert.Equal(ProblemBase + type, (string?)problem["type"]);
        Assert.Equal((int)expected, (int?)problem["status"]);
        return problem;
    }

    /// <summary>Asserts a problem whose <c>errors</c> name the field.</summary>
    public static async Task<JsonNode> AssertProblemNamingAsync(this HttpResponseMessage response, string field, HttpStatusCode expected = HttpStatusCode.BadRequest)
    {
        var problem = await response.AssertProblemAsync(expected);
        Assert.Contains(field, problem["errors"]!.AsObject().Select(e => e.Key));
        return problem;
    }

    public static async Task<JsonNode> CreateSessionAsync(this HttpClient client, string name = "test")
    {
        var response = await client.PostAsJsonAsync("/v1/sessions", new { name });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }

    /// <summary>Creates a session and pairs it by scanning its QR code with the given (simulated) phone.</summary>
    public static async Task<string> CreatePairedSessionAsync(this HttpClient client, string phoneNumber)
    {
        var id = (string)(await client.CreateSessionAsync())["id"]!;
        var scan = await client.PostAsJsonAsync($"/v1/sessions/{id}/dev/scan", new { phoneNumber });
        var session = await scan.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("connected", (string?)session["status"]);
        return id;
    }

    public static async Task<JsonNode> GetSessionAsync(this HttpClient client, string id) =>
        await (await client.GetAsync($"/v1/sessions/{id}")).ReadJsonAsync(HttpStatusCode.OK);

    /// <summary>The session, or null while the API answers a retriable 503 (e.g. its silo just died).</summary>
    public static async Task<JsonNode?> TryGetSessionAsync(this HttpClient client, string id)
    {
        var response = await client.GetAsync($"/v1/sessions/{id}");
        return response.StatusCode == HttpStatusCode.ServiceUnavailable ? null : await response.ReadJsonAsync(HttpStatusCode.OK);
    }

    public static async Task<JsonNode> SendTextAsync(this HttpClient client, string sessionId, string to, string text)
    {
        var response = await client.PostAsJsonAsync($"/v1/sessions/{sessionId}/messages", new { to, text });
        return await response.ReadJsonAsync(HttpStatusCode.Accepted);
    }

    /// <summary>Every message of a session, following the pagination cursor.</summary>
    public static async Task<List<JsonNode>> ListAllMessagesAsync(this HttpClient client, string sessionId, string? direction = null)
    {
        var all = new List<JsonNode>();
        string? cursor = null;
        do
        {
            var query = $"/v1/sessions/{sessionId}/messages?limit=200" + (direction is null ? "" : $"&direction={direction}") + (cursor is null ? "" : $"&cursor={cursor}");
            var page = await (await client.GetAsync(query)).ReadJsonAsync(HttpStatusCode.OK);
            all.AddRange(page["items"]!.AsArray().Select(i => i!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);
        return all;
    }

    /// <summary>Polls until the condition holds; fails with the last value seen. For waiting on asynchronous effects, not for timing goals.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        T value = await probe();
        while (!done(value))
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Timed out waiting for {what}; last value: {Describe(value)}");
            await Task.Delay(100);
            value = await probe();
        }
        return value;
    }

    private static string Describe<T>(T value) => value switch
    {
        JsonNode node => node.ToJsonString(),
        System.Collections.IEnumerable items and not string => "[" + string.Join(", ", items.Cast<object?>().Select(i => i is JsonNode n ? n.ToJsonString() : i?.ToString())) + "]",
        _ => value?.ToString() ?? "null",
    };
}
