using System.Diagnostics;

namespace OrleansSaas.Engines.Web;

/// <summary>
/// Whether this machine can run the sidecar: Node.js 20 or later and, for the real sidecar (a folder with a
/// package.json), its installed node_modules. Checked once at start-up; without it the silo offers no web engine.
/// </summary>
public sealed class WebEngineSetup
{
    public string SidecarFolder { get; }
    /// <summary>Why the engine is not offered; null when it is.</summary>
    public string? Unavailable { get; }

    public WebEngineSetup(WebEngineOptions options)
    {
        SidecarFolder = options.SidecarPath.Length > 0 ? Path.GetFullPath(options.SidecarPath) : FindSidecar() ?? "";
        Unavailable = Check(options);
    }

    private string? Check(WebEngineOptions options)
    {
        if (SidecarFolder.Length == 0 || !Directory.Exists(SidecarFolder)) return "the sidecar folder (src/OrleansSaas.WebSidecar) was not found; set WebEngine:SidecarPath";
        if (!File.Exists(Path.Combine(SidecarFolder, options.Script))) return $"{options.Script} is missing in {SidecarFolder}";
        if (File.Exists(Path.Combine(SidecarFolder, "package.json")) && !Directory.Exists(Path.Combine(SidecarFolder, "node_modules", "baileys")))
            return $"the sidecar's node_modules are missing (run npm ci in {SidecarFolder})";
        var version = NodeVersion(options.NodePath);
        if (version is null) return $"Node.js was not found ({options.NodePath})";
        if (version < 20) return $"Node.js {version} is too old (20 or later is needed)";
        return null;
    }

    private static int? NodeVersion(string node)
    {
        try
        {
            var start = new ProcessStartInfo(node, "--version") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(start);
            if (process is null) return null;
            var text = process.StandardOutput.ReadToEnd().Trim();
            if (!process.WaitForExit(10_000)) return null;
            // "v20.20.2"
            return text.StartsWith('v') && int.TryParse(text[1..].Split('.')[0], out var major) ? major : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>src/OrleansSaas.WebSidecar in the first folder above the app's base directory that has it.</summary>
    private static string? FindSidecar()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.Combine(folder.FullName, "src", "OrleansSaas.WebSidecar");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }
}
