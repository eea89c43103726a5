/** The notes beside each chart of the Signal Propagation view: what to look for, and where it comes from. */
export const PROPAGATION_NOTES: { chart: string; text: string }[] = [
  {
    chart: 'sweep',
    text: 'Dots: E[h²] and the mean cosine of two digits measured layer by layer at initialization (forward only, real digits). Lines: the mean-field recursion q_{l+1} = σ_w²·E[φ(h)²] + σ_b² and its correlation map (Poole et al. 2016, "Exponential expressivity in deep neural networks through transient chaos"). A flat q is a signal that survives depth; c → 1 means every input looks the same to deep layers, c → 0 that nearby inputs are torn apart. At finite width ReLU\'s q wanders around the line (Hanin & Rolnick 2018).',
  },
  {
    chart: 'phase',
    text: 'χ₁ = σ_w²·E[φ\'(h)²] at the fixed point q*: blue is the ordered phase (χ₁ < 1, gradients vanish), red the chaotic one (χ₁ > 1, they explode); the line is χ₁ = 1. Your initializers sit at σ_b² = 0 (biases start at zero). Schoenholz et al. 2017 ("Deep information propagation") show that networks train only to a depth of about 6·ξ_c, which diverges on the line: the trainability map (on request) measures it.',
  },
  {
    chart: 'jacobian',
    text: 'Squared singular values of the input–output Jacobian ∂x_L/∂x_0 at initialization, exact products of the layer Jacobians on one input at the fixed point. Concentrated near 1 is "dynamical isometry": gradients keep their size and shape. Orthogonal weights at tanh\'s critical point achieve it; Gaussian weights spread it with depth; ReLU cannot reach it (Pennington, Schoenholz & Ganguli 2017, "Resurrecting the sigmoid in deep learning through dynamical isometry").',
  },
  {
    chart: 'histograms',
    text: 'Each column is one measured step of training, each row one bin of a hidden layer\'s activations on the fixed probe batch (brighter = more), as in fastai\'s "colorful dimension" plots (fastai course, lesson 10). The line is the share of activations near zero: a layer whose mass collapses to the bottom row has stopped passing signal.',
  },
];
