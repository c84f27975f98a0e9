namespace KeyRotation.Core.Consumers;

/// <summary>What a scan learned about one resource: the key it references, or why it could not be checked.</summary>
public abstract record ConsumerFinding(ConsumerResource Resource)
{
    /// <summary>The resource references <see cref="ConsumerResource.KeyReference"/> (any key; the inventory matches generations).</summary>
    public sealed record Found(ConsumerResource Resource) : ConsumerFinding(Resource);

    /// <summary>The resource could not be read (AccessDenied, a bucket in another Region...): listed, and the scan goes on.</summary>
    public sealed record NotChecked(ConsumerResource Resource, string Reason) : ConsumerFinding(Resource);
}
