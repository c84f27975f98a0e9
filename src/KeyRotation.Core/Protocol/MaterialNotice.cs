namespace KeyRotation.Core.Protocol;

/// <summary>What a material rotation means for consumers, in the words every notice and response uses.</summary>
internal static class MaterialNotice
{
    public const string ForConsumers = "key id unchanged; nothing to do for consumers; data encrypted before still decrypts";
}
