using System.Diagnostics.CodeAnalysis;

// The namespace mirrors the project under test, whose name is fixed by the handler contract
// (the same reason .editorconfig exempts src/KeyRotation.Function from CA1716).
[assembly: SuppressMessage("Naming", "CA1716:Identifiers should not match keywords", Justification = "Mirrors the fixed handler namespace.", Scope = "namespace", Target = "~N:KeyRotation.Function.Tests.Template")]
