using System.Text.Json;
using System.Text.Json.Nodes;

using OrleansSaas.Tests.Infrastructure;

namespace OrleansSaas.Tests.Web;

/// <summary>
/// The test's side of fake-sidecar.js (a standalone script written from PROTOCOL.md): the silo's settings that run
/// it instead of the real sidecar, commands that make "WhatsApp" act, and the journal of what the silo asked.
/// </summary>
public sealed class FakeSidecar : IDisposable
{
    public string Folder { get; } = Directory.CreateTempSubdirectory("fake-sidecar-").FullName;

    public Dictionary<string, string> SiloSettings(int qrMs = 400, int qrCount = 100) => new()
    {
        ["WebEngine__SidecarPath"] = Path.Combine(RepositoryRoot(), "tests", "OrleansSaas.Tests", "Web", "fake-sidecar"),
        ["WebEngine__Script"] = "fake-sidecar.js",
        ["WebEngine__Environment__FAKE_SIDECAR_DIR"] = Folder,
        ["WebEngine__Environment__FAKE_QR_MS"] = qrMs.ToString(),
        ["WebEngine__Environment__FAKE_QR_COUNT"] = qrCount.ToString(),
        ["WebEngine__PingInterval"] = "00:00:01",
        ["WebEngine__RestartInitialDelay"] = "00:00:00.500",
        ["WebEngine__ConnectWait"] = "00:00:05",
    };

    /// <summary>Every journal entry so far, in the order the fakes wrote them.</summary>
    public List<JsonObject> Journal()
    {
        var path = Path.Combine(Folder, "journal.jsonl");
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!.AsObject()).ToList();
    }

    public List<JsonObject> Entries(string op, string? sessionId = null) =>
        Journal().Where(e => (string?)e["op"] == op && (sessionId is null || ((string?)e["sessionKey"])?.EndsWith("/" + sessionId) == true)).ToList();

    /// <summary>The silo's key for the session, from the fake's first start of it.</summary>
    public async Task<string> SessionKeyAsync(string sessionId) =>
        (string)(await Api.EventuallyAsync(() => Task.FromResult(Entries("start", sessionId)), e => e.Count > 0, TimeSpan.FromSeconds(30), "the session's start on the fake"))[0]["sessionKey"]!;

    /// <summary>Drops a command; the fake holding the session runs it within ~50 ms.</summary>
    public void Command(object command)
    {
        var commands = Path.Combine(Folder, "commands");
        Directory.CreateDirectory(commands);
        var temp = Path.Combine(Folder, Guid.NewGuid().ToString("N") + ".tmp");
        File.WriteAllText(temp, JsonSerializer.Serialize(command));
        File.Move(temp, Path.Combine(commands, Guid.NewGuid().ToString("N") + ".json"));
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "OrleansSaas.sln"))) return directory.FullName;
        throw new InvalidOperationException("Cannot find the repository root.");
    }

    public void Dispose()
    {
        try { Directory.Delete(Folder, recursive: true); } catch (IOException) { }
    }
}
