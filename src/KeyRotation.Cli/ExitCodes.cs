namespace KeyRotation.Cli;

/// <summary>The CLI's exit codes, the same for every command.</summary>
internal static class ExitCodes
{
    /// <summary>Everything asked for was done (or, for plan and status, reported).</summary>
    public const int Success = 0;

    /// <summary>Some alias failed or was refused, or a notification could not be sent; the output says which and why.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage, configuration or input (an alias that does not exist): refused before anything was changed, published or saved.</summary>
    public const int Usage = 2;
}

/// <summary>Bad usage or configuration, found before anything was changed; exit code 2.</summary>
internal sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
