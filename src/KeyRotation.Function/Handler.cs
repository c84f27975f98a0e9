namespace KeyRotation.Function;

/// <summary>Lambda entry point (placeholder until the engine lands).</summary>
public sealed class Handler
{
#pragma warning disable CA1822 // placeholder
    public Task<Stream> HandleAsync(Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return Task.FromResult<Stream>(new MemoryStream());
    }
}
