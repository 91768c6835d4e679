func.func @identity(%x: tensor<1x6x6x2xf32>) -> tensor<1x6x6x2xf32> {
  %y = tosa.abs %x : (tensor<1x6x6x2xf32>) -> tensor<1x6x6x2xf32>
  return %y : tensor<1x6x6x2xf32>
}
