using System.CommandLine;

namespace KeyRotation.Cli.Commands;

/// <summary><c>--change-origin</c>: let a rotation replace imported key material by KMS-generated material, or the other way round.</summary>
internal static class ChangeOriginOption
{
    public static Option<bool> Create() => new("--change-origin")
    {
        Description = "Create the new keys with KEY_MATERIAL_ORIGIN even where the current key has the other origin (EXTERNAL/AWS_KMS). Without it such aliases are refused.",
    };
}
