namespace KeyRotation.Function.Tests.Iam;

/// <summary>The retention function's role of the deployed stacks <see cref="RotationRole"/> resolves.</summary>
internal static class RetentionRole
{
    public const string RoleId = "RetentionFunctionRole";

    public static string Arn => StackInstance.GeneratedRoleArn(RoleId);

    public static KmsAuthorization Kms(StackInstance stack) => new(stack.RolePolicy(RoleId), Arn);
}
