using EvalHarness.Engine.Gemm;

namespace EvalHarness.Engine.Tests.Gemm;

/// <summary>Provider selection by name and by EVALHARNESS_GEMM. Changes process-wide state, so not run in parallel with other collections.</summary>
[Collection(nameof(GemmProviderState))]
public class GemmProviderTests
{
    [Theory]
    [InlineData("managed", "managed")]
    [InlineData("Managed", "managed")]
    [InlineData(" NAIVE ", "naive")]
    public void Names_resolve_case_insensitively(string name, string expected)
    {
        Assert.Equal(expected, GemmProvider.Resolve(name).Name);
    }

    [Fact]
    public void Auto_and_empty_pick_the_managed_kernel()
    {
        Assert.Same(ManagedGemm.Instance, GemmProvider.Resolve("auto"));
        Assert.Same(ManagedGemm.Instance, GemmProvider.Resolve(""));
        Assert.Same(ManagedGemm.Instance, GemmProvider.Resolve(null));
    }

    [Fact]
    public void Openblas_resolves_or_explains_how_to_install_it()
    {
        if (OpenBlasGemm.TryCreate(out _))
        {
            Assert.IsType<OpenBlasGemm>(GemmProvider.Resolve("openblas"));
        }
        else
        {
            var ex = Assert.Throws<EvalHarnessException>(() => GemmProvider.Resolve("openblas"));
            Assert.Contains("libopenblas0-pthread", ex.Message);
            Assert.Contains("'managed'", ex.Message);
        }
    }

    [Fact]
    public void Unknown_names_list_the_valid_ones_and_the_nearest()
    {
        var ex = Assert.Throws<UnknownNameException>(() => GemmProvider.Resolve("manged"));
        Assert.Contains("Unknown GEMM provider 'manged'", ex.Message);
        Assert.Contains("Did you mean: managed", ex.Message);
        foreach (var name in GemmProvider.Names) Assert.Contains(name, ex.Message);
        Assert.Contains("auto", ex.Message);
    }

    [Fact]
    public void The_environment_variable_chooses_the_default_provider()
    {
        string? saved = Environment.GetEnvironmentVariable(GemmProvider.EnvironmentVariable);
        try
        {
            Environment.SetEnvironmentVariable(GemmProvider.EnvironmentVariable, "naive");
            GemmProvider.Reset();
            Assert.Same(NaiveGemm.Instance, GemmProvider.Current);

            Environment.SetEnvironmentVariable(GemmProvider.EnvironmentVariable, "MANAGED");
            GemmProvider.Reset();
            Assert.Same(ManagedGemm.Instance, GemmProvider.Current);

            Environment.SetEnvironmentVariable(GemmProvider.EnvironmentVariable, "blas");
            GemmProvider.Reset();
            var ex = Assert.Throws<UnknownNameException>(() => GemmProvider.Current);
            Assert.Contains("'blas'", ex.Message);

            // An explicit choice wins over the variable.
            Assert.Same(NaiveGemm.Instance, GemmProvider.Use("naive"));
            Assert.Same(NaiveGemm.Instance, GemmProvider.Current);
        }
        finally
        {
            Environment.SetEnvironmentVariable(GemmProvider.EnvironmentVariable, saved);
            GemmProvider.Reset();
        }
    }
}

[CollectionDefinition(nameof(GemmProviderState), DisableParallelization = true)]
public sealed class GemmProviderState;
