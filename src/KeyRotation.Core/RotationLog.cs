namespace KeyRotation.Core;

/// <summary>Severity of a log entry.</summary>
public enum RotationLogLevel
{
    Debug,
    Information,
    Warning,
    Error,
}

/// <summary>One structured log entry. Never carries key material or policy text.</summary>
public sealed record RotationLogEntry(
    RotationLogLevel Level,
    string Message,
    string? RotationId = null,
    string? Alias = null,
    string? KeyId = null,
    string? NewKeyId = null);

/// <summary>Where the engine writes what it does: JSON lines in Lambda, the terminal in the CLI.</summary>
public interface IRotationLog
{
    void Write(RotationLogEntry entry);
}

/// <summary>A log that drops everything.</summary>
public sealed class NullRotationLog : IRotationLog
{
    public static NullRotationLog Instance { get; } = new();

    public void Write(RotationLogEntry entry)
    {
    }
}
