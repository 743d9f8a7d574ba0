// The page in English and Chinese. Static text: elements carry data-i18n (text),
// data-i18n-title and data-i18n-placeholder; their English is the HTML itself. Text the script
// writes: MESSAGES. Explanations (the "?" links) open the matching section of the tour in the
// page's language. Server messages stay English, like the command line's.
"use strict";

const ZH = {
  "title": "plaindnn 游乐场",
  "play": "▶ 开始", "play.title": "训练：暂停的训练继续；一次训练完成后，用当前设置开始新的训练",
  "pause": "❚❚ 暂停", "pause.title": "在本轮结束时停下",
  "step": "▶❘ 单步", "step.title": "训练一轮后暂停",
  "reset": "⟲ 重置", "reset.title": "停止并清空；新设置用于下一次训练",
  "epoch": "轮次",
  "speed": "速度", "speed.fastest": "最快", "speed.smooth": "流畅", "speed.slow": "慢", "speed.very-slow": "很慢",
  "data": "数据", "dataset": "数据集",
  "dataset.quadrants": "象限（教程里的任务）", "dataset.circles": "圆环", "dataset.spiral": "螺旋",
  "dataset.blobs": "三团点（3 类）", "dataset.csv": "你自己的 CSV 文件…",
  "noise": "噪声", "noise.default": "数据集自带",
  "train-share": "训练集占比", "train-share.default": "默认",
  "seed": "随机种子", "regenerate": "重新生成", "regenerate.title": "换一个种子：新的点、新的初始权重",
  "csv-file": "CSV 文件", "target": "目标列", "target.default": "最后一列",
  "standardize-target": "标准化目标值",
  "standardize-target.title": "回归：学习训练行的 (y − 均值) / 标准差；RMSE 和预测值仍用目标列自己的单位",
  "impute": "缺失单元格", "impute.refuse": "拒绝", "impute.mean": "填充：均值", "impute.median": "填充：中位数",
  "impute.title": "用训练行中该列的均值或中位数填充缺失的单元格（空、NA、NaN、null 等）",
  "columns": "输入列：取消勾选即不用该列",
  "data.note": "验证集是从同一分布重新抽取的点（CSV：留出 20 %）；训练集占比按 512 个点划分。",
  "features": "输入特征",
  "features.note": "在第一层之前加到 x、y 旁边：有了 x² 和 y²，一个神经元就能画出一个圆。",
  "network": "网络", "add-layer": "+ 加一层", "remove-layer": "− 减一层",
  "activation": "激活函数（所有层）", "init": "初始化", "dropout": "Dropout 比例",
  "preset-best": "教程的默认最优配置", "preset-best.title": "He 初始化、ELU、批归一化、Dropout 0.2、Adam",
  "preset-plain": "朴素配置", "preset-plain.title": "默认初始化、Sigmoid、SGD，学习率 0.1",
  "training": "训练", "optimizer": "优化器", "lr": "学习率", "momentum": "动量", "batch-size": "批大小",
  "schedule": "学习率调度", "schedule.constant": "不变", "schedule.step": "阶梯（每 50 轮 ×0.5）",
  "schedule.cosine": "余弦", "schedule.plateau": "停滞时降低",
  "remedies": "对付过拟合", "max-norm": "最大范数约束", "patience": "早停的耐心轮数",
  "clip-norm": "梯度裁剪（范数）", "epochs": "轮数", "off": "关",
  "train-loss": "训练损失", "val-loss": "验证损失", "lr-now": "学习率",
  "regions.caption": "决策区域：● 训练点，○ 验证点；网络越没把握，颜色越淡",
  "discretize": "只看类别（不显示把握）",
  "show-validation": "显示验证点",
  "loss.caption": "损失：训练（实线）、验证（虚线），上一次训练为淡色；鼠标悬停看数值",
  "network.caption": "网络：每个输入和隐藏单元画出它在平面上的值（蓝为正，橙为负，各按自己的最大值着色；鼠标移上去可放大）；蓝色权重为正，橙色为负，越粗绝对值越大（每层最多画前 16 个单元）",
  "grads.caption": "各层的梯度范数随轮次的变化（对数坐标）：靠近输入的层远低于靠近输出的层 = 梯度消失",
  "confusion.later": "训练结束后显示混淆矩阵。",
  "away": "带走", "away.note": "在命令行里重现这次训练（同样的种子，同样的数字）：",
  "copy": "复制为命令行", "weights": "权重（safetensors）", "link": "此设置的链接",
  "tour-link": "中文导览",
};

const MESSAGES = {
  en: {
    ready: "ready", starting: "starting…", training: "training", paused: "paused", stopping: "stopping",
    stepping: "training one epoch",
    lost: "connection to the server lost: reload the page",
    done: (n, best) => `done: ${n} epochs` + (best ? `, best ${best}` : ""),
    layer: (i) => `hidden layer ${i}`, outputLayer: "output layer",
    leaveRun: "This run is not done: open the link's setup, and stop the run?",
    dead: (layer, pct) => `${layer}: ${pct} % dead units`,
    pending: "the settings changed since this run started: it goes on with its own (the command below); ⟲ reset, then ▶ play, trains with the new ones",
    pendingDone: "the settings changed since this run: the views and the command below are its; ▶ play trains with the new ones",
    blank: (box) => `${boxName(box)}: the box is empty`,
    whole: (box) => `${boxName(box)}: a whole number, got ${box.value.trim()}`,
    csvKept: (name) => `(the page still trains on ${name})`,
    targetNow: (column) => `— the target is now ${column}: its task and classes are told when a run starts`,
    kept: (r, p, metric) => `kept: the weights of epoch ${r.epoch}, the best (early stopping), val loss ${p(r.val_loss)}, ${metric}: the regions, the confusion matrix and the downloads are theirs (the dotted line)`,
    hover: (r, p, metric) => `epoch ${r.epoch}: train loss ${p(r.train_loss)}, val loss ${p(r.val_loss)}, ${metric}, lr ${r.lr.toPrecision(3)}`,
    accuracyLabel: "val accuracy (%)", accuracyCaption: "Validation accuracy (%)", accuracyHover: (v) => `val accuracy ${v} %`,
    rmseLabel: "val RMSE", rmseCaption: "Validation RMSE (root mean squared error; lower is better)", rmseHover: (v) => `val RMSE ${v}`,
    noConfusion: "No confusion matrix: a regression predicts numbers, not classes.",
    confusionHead: "true \\ predicted",
    confusionNote: "Confusion matrix on the validation rows (the weights the run kept).",
    noRegions: "the plane's picture needs two inputs",
    sampled: (n, total) => `the plane shows ${n} of the ${total} points (every k-th row of each split); training and scoring use them all`,
    valuesNote: (lo, hi) => `a regression: the network's output and the points' values, orange ${lo} to blue ${hi}`,
    csvInfo: (j) => `${j.rows} rows, features ${j.features.join(", ")}, target ${j.target} (${j.task}${j.classes.length ? ", " + j.classes.length + " classes" : ""})${j.decimal ? `; numbers with decimal commas, 1,5 read as 1.5` : ""}${j.missing_cells ? `; ${j.missing_cells} missing cell${j.missing_cells === 1 ? "" : "s"}: choose how to fill ${j.missing_cells === 1 ? "it" : "them"}` : ""}`,
    epochAxis: "epoch", mixed: "per layer", inputs: "inputs", outputs: "outputs",
    noLayers: "no hidden layer: the output layer alone, a linear model (+ layer adds one)",
    oneHot: (columns) => `text columns, one 0/1 input per category: ${columns.join(", ")} (--one-hot)`,
    unitHint: "hover a unit to see its output over the whole plane",
    inputHover: (name, lo, hi) => `input ${name}: its value over the plane, from ${lo} to ${hi}, drawn in the decision regions`,
    unitHover: (layer, unit, lo, hi) => `hidden layer ${layer}, unit ${unit}: its output over the plane, from ${lo} to ${hi}, drawn in the decision regions`,
  },
  zh: {
    ready: "就绪", starting: "启动中…", training: "训练中", paused: "已暂停", stopping: "正在停止",
    stepping: "训练一轮中",
    lost: "与服务器的连接断开了：请刷新页面",
    done: (n, best) => `完成：共 ${n} 轮` + (best ? `，最好的是第 ${best} 轮` : ""),
    layer: (i) => `隐藏层 ${i}`, outputLayer: "输出层",
    leaveRun: "这次训练还没完成：打开链接里的设置并停止这次训练吗？",
    dead: (layer, pct) => `${layer}：${pct} % 的单元已“死亡”`,
    pending: "这次训练开始后设置改了：它仍按自己的设置继续（见下面的命令）；⟲ 重置后再 ▶ 开始，才用新设置训练",
    pendingDone: "这次训练之后设置改了：图和下面的命令都是这次训练的；▶ 开始会用新设置训练",
    blank: (box) => `${boxName(box)}：框是空的`,
    whole: (box) => `${boxName(box)}：需要整数，现在是 ${box.value.trim()}`,
    csvKept: (name) => `（页面仍用 ${name} 训练）`,
    targetNow: (column) => `——目标列现在是 ${column}：它的任务类型和类别在训练开始时给出`,
    kept: (r, p, metric) => `保留的是第 ${r.epoch} 轮（最好的一轮，早停）的权重，验证损失 ${p(r.val_loss)}，${metric}：决策区域、混淆矩阵和下载都用它（虚线处）`,
    hover: (r, p, metric) => `第 ${r.epoch} 轮：训练损失 ${p(r.train_loss)}，验证损失 ${p(r.val_loss)}，${metric}，学习率 ${r.lr.toPrecision(3)}`,
    accuracyLabel: "验证准确率（%）", accuracyCaption: "验证准确率（%）", accuracyHover: (v) => `验证准确率 ${v} %`,
    rmseLabel: "验证 RMSE", rmseCaption: "验证集 RMSE（均方根误差，越低越好）", rmseHover: (v) => `验证 RMSE ${v}`,
    noConfusion: "没有混淆矩阵：回归预测的是数值，不是类别。",
    confusionHead: "真实 \\ 预测",
    confusionNote: "验证集上的混淆矩阵（用训练最终保留的权重）。",
    noRegions: "平面图需要两个输入",
    sampled: (n, total) => `平面图显示 ${total} 个点中的 ${n} 个（每个划分每隔 k 行取一行）；训练和评估使用全部数据`,
    valuesNote: (lo, hi) => `回归：网络的输出和各点的值，从橙色 ${lo} 到蓝色 ${hi}`,
    csvInfo: (j) => `${j.rows} 行，特征 ${j.features.join("、")}，目标 ${j.target}（${j.task === "classification" ? "分类" : "回归"}${j.classes.length ? "，" + j.classes.length + " 类" : ""}）${j.decimal ? "；数字以小数逗号书写，1,5 读作 1.5" : ""}${j.missing_cells ? `；${j.missing_cells} 个缺失单元格：请选择填充方式` : ""}`,
    epochAxis: "轮次", mixed: "逐层设置", inputs: "输入", outputs: "输出",
    noLayers: "没有隐藏层：只有输出层，即线性模型（“+ 加一层”可加回）",
    oneHot: (columns) => `文本列，每个类别一个 0/1 输入：${columns.join("、")}（--one-hot）`,
    unitHint: "把鼠标移到一个单元上，看它在整个平面上的输出",
    inputHover: (name, lo, hi) => `输入 ${name}：它在平面上的值，从 ${lo} 到 ${hi}，画在决策区域里`,
    unitHover: (layer, unit, lo, hi) => `隐藏层 ${layer} 的第 ${unit} 个单元：它在平面上的输出，从 ${lo} 到 ${hi}，画在决策区域里`,
  },
};

// Each "?" explains with the tour's section, in the page's language.
const TOUR_LINKS = {
  data: { en: "/tour/en#3-the-quadrant-task", zh: "/tour/zh-CN#任务描述" },
  features: { en: "/tour/en#2-the-network-and-why-it-needs-activations", zh: "/tour/zh-CN#进阶" },
  network: { en: "/tour/en#2-the-network-and-why-it-needs-activations", zh: "/tour/zh-CN#隐藏层" },
  init: { en: "/tour/en#6-vanishing-gradients", zh: "/tour/zh-CN#梯度消失或爆炸的解决方案" },
  overfitting: { en: "/tour/en#9-overfitting-and-its-remedies", zh: "/tour/zh-CN#过拟合的解决方案" },
  best: { en: "/tour/en#10-the-default-best-configuration", zh: "/tour/zh-CN#一个神经网络的默认最优配置" },
  training: { en: "/tour/en#8-slow-training-adam", zh: "/tour/zh-CN#性能问题的解决方案" },
  exploding: { en: "/tour/en#7-exploding-gradients-and-gradient-clipping", zh: "/tour/zh-CN#梯度消失或爆炸的解决方案" },
  loss: { en: "/tour/en#4-softmax-probabilities-that-sum-to-1", zh: "/tour/zh-CN#4如何衡量输出的好坏" },
  vanishing: { en: "/tour/en#6-vanishing-gradients", zh: "/tour/zh-CN#5反向传播与参数优化" },
  activation: { en: "/tour/en#2-the-network-and-why-it-needs-activations", zh: "/tour/zh-CN#阶跃函数sigmoid-与-relu" },
  playground: { en: "/tour/en#14-watching-it-learn-the-playground", zh: "/tour/zh-CN#附在浏览器里看网络学习playground" },
};

const EN = {};
let LANG = "en";

/** A message of the script in the page's language. */
function t(key, ...args) {
  const m = MESSAGES[LANG][key];
  return typeof m === "function" ? m(...args) : m;
}

/** Every static text, title, placeholder and explanation link in `lang` ("en" or "zh"). */
function applyLanguage(lang) {
  LANG = lang === "zh" ? "zh" : "en";
  document.documentElement.lang = LANG === "zh" ? "zh-CN" : "en";
  const swap = (attr, get, set) => document.querySelectorAll(`[${attr}]`).forEach((el) => {
    const key = el.getAttribute(attr);
    if (!(attr + key in EN)) EN[attr + key] = get(el);
    set(el, LANG === "zh" && ZH[key] ? ZH[key] : EN[attr + key]);
  });
  swap("data-i18n", (el) => el.textContent, (el, v) => { el.textContent = v; });
  swap("data-i18n-title", (el) => el.title, (el, v) => { el.title = v; });
  swap("data-i18n-placeholder", (el) => el.placeholder, (el, v) => { el.placeholder = v; });
  document.querySelectorAll("[data-tour]").forEach((a) => { a.href = TOUR_LINKS[a.dataset.tour][LANG]; });
  document.title = LANG === "zh" ? ZH.title : "plaindnn playground";
}
