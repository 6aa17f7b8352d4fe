"""Model records -> ADO JSON, one module per area. Renderers read the simulated now from the world."""
