using System.ComponentModel.DataAnnotations;

namespace OrleansSaas.Engines.Web;

/// <summary>Configuration section WebEngine: where the sidecar is and how the silo supervises it.</summary>
public sealed class WebEngineOptions
{
    public const string Section = "WebEngine";

    /// <summary>The sidecar's folder; empty finds src/OrleansSaas.WebSidecar above the app's base directory.</summary>
    public string SidecarPath { get; set; } = "";

    /// <summary>The script run in that folder (tests run a fake sidecar here).</summary>
    [Required]
    public string Script { get; set; } = "src/main.js";

    [Required]
    public string NodePath { get; set; } = "node";

    /// <summary>Extra environment for the sidecar (e.g. SIDECAR_WA_WEBSOCKET_URL, SIDECAR_LOG_LEVEL).</summary>
    public Dictionary<string, string> Environment { get; set; } = new(StringComparer.Ordinal);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan PingInterval { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>First wait before restarting a sidecar that died; doubles up to <see cref="RestartMaxDelay"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RestartInitialDelay { get; set; } = TimeSpan.FromSeconds(1);

    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan RestartMaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a connect waits for the socket's first news before the session reports it is still connecting.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ConnectWait { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests the silo has in flight to the sidecar at most (its own limit is 64).</summary>
    [Range(1, 64)]
    public int MaxInFlight { get; set; } = 32;

    /// <summary>Backoff of the sidecar's own reconnects after network closes (handed over in hello).</summary>
    [Range(100, 600_000)]
    public int ReconnectInitialMs { get; set; } = 1000;

    [Range(1000, 3_600_000)]
    public int ReconnectMaxMs { get; set; } = 60_000;
}
