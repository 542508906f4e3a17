namespace OrleansSaas.Gateway.WebConsole;

/// <summary>Settings the console's pages read from /console/config.json.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>
    /// The Orleans dashboard an operator's "Dashboard" link opens (served by a silo on its Silo:HttpPort).
    /// Unset: run.sh's silo 1 in Development, no link otherwise.
    /// </summary>
    public string? DashboardUrl { get; set; }

    public const string DevelopmentDashboardUrl = "http://127.0.0.1:8081/dashboard/";
}

/// <summary>What /console/config.json answers: nothing secret, the same for everyone.</summary>
/// <param name="DevEndpoints">Whether the simulator's dev endpoints (simulate scan, enter code) are on.</param>
public sealed record ConsoleConfig(string? DashboardUrl, bool DevEndpoints);
