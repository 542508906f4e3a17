using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests;

/// <summary>
/// Replays the checked-in corpus of hostile and broken requests (Corpus/bad-input.json): each must get a
/// 4xx problem+json, never a 500, and must leave nothing behind (no message, no session).
/// </summary>
[Collection(SharedClusterCollection.Name)]
public sealed class BadInputCorpusTests(SharedClusterFixture fixture)
{
    private static readonly SemaphoreSlim Setup = new(1, 1);
    private static string? _session;
    private readonly HttpClient _client = fixture.Cluster.CreateClient();

    public static TheoryData<string> Cases()
    {
        var data = new TheoryData<string>();
        foreach (var item in Corpus()) data.Add((string)item!["name"]!);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_corpus_request_is_refused_with_a_4xx_problem_and_changes_nothing(string name)
    {
        var item = Corpus().Single(c => (string?)c!["name"] == name)!;
        var session = await SessionAsync();
        var sessionsBefore = await CountAsync("SELECT count(*) FROM sessions");

        var response = await _client.SendAsync(BuildRequest(item, session));

        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode is >= 400 and < 500, $"{name}: got {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("https://orleanssaas.dev/problems/", (string?)JsonNode.Parse(body)!["type"]);
        Assert.Equal(0, await CountAsync("SELECT count(*) FROM messages WHERE session_id = @id", session));
        Assert.Equal(sessionsBefore, await CountAsync("SELECT count(*) FROM sessions"));
    }

    private static HttpRequestMessage BuildRequest(JsonNode item, string session)
    {
        var request = new HttpRequestMessage(new HttpMethod((string)item["method"]!), ((string)item["path"]!).Replace("{session}", session));
        if (item["body"] is { } body)
        {
            var text = new StringBuilder((string)body!);
            if (item["repeat"] is { } repeat) text.Insert(text.Length, (string)repeat["text"]!, (int)repeat["count"]!);
            text.Append((string?)item["suffix"]);
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(text.ToString()));
            content.Headers.TryAddWithoutValidation("Content-Type", (string)item["contentType"]!);
            request.Content = content;
            // Lets the server refuse an oversized body before it is sent instead of resetting the connection mid-send.
            request.Headers.ExpectContinue = true;
        }
        foreach (var (header, value) in item["headers"]?.AsObject() ?? [])
            request.Headers.TryAddWithoutValidation(header, (string)value!);
        return request;
    }

    private async Task<string> SessionAsync()
    {
        await Setup.WaitAsync();
        try
        {
            return _session ??= await _client.CreatePairedSessionAsync("+12015550901");
        }
        finally
        {
            Setup.Release();
        }
    }

    private Task<long> CountAsync(string sql, string? session = null) =>
        fixture.Cluster.QueryScalarAsync<long>(sql, session is null ? [] : [("id", session)]);

    private static JsonArray Corpus() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Corpus", "bad-input.json")))!.AsArray();
}
