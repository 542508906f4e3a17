namespace OrleansSaas.Outbound;

/// <summary>A tenant-aimed request whose host is, or resolves to, an address the guard refuses; nothing was connected to.</summary>
public sealed class OutboundRefusedException(string host) : Exception($"Outbound request to '{host}' refused: the address is internal.");
